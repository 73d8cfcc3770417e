/* Body map (templates/_bodymap.html): the Back/Front switch and the pressed regions.
 * single (SOS quick log): a tap presses one region and sends 'coach:bodymap' {location, side}; sos.js moves on.
 * multi (detailed log): taps toggle regions and keep the form's values in step: the location checkboxes of the
 * map, and the form's "side" radio group (left and right chosen: both). Ticking the list or the side by hand
 * (or a restored draft) paints the figure again. Without script the list alone works.
 */
(function () {
  'use strict';

  const SIDES_OF = { left: ['left'], right: ['right'], both: ['left', 'right'], central: ['central'] };

  function init(map) {
    if (map.hasAttribute('data-bodymap-ready')) return;
    map.setAttribute('data-bodymap-ready', '');
    const mode = map.getAttribute('data-bodymap');
    const name = map.getAttribute('data-name');
    const form = map.closest('form');
    const regions = Array.prototype.slice.call(map.querySelectorAll('.region[data-location]'));
    const chosen = map.querySelector('[data-bodymap-chosen]');
    const ui = map.querySelector('[data-bodymap-ui]');
    let syncing = false;

    // Places with nothing but a middle (jaw, neck, between the shoulder blades): chosen whatever the side says.
    const middleOnly = {};
    regions.forEach(function (r) {
      const loc = r.getAttribute('data-location');
      const side = r.getAttribute('data-side') || 'central';
      middleOnly[loc] = (middleOnly[loc] !== false) && side === 'central';
    });

    function label(r) { return r.textContent.trim(); }
    function twins(r) { // the same place on the other view (arms, hands, thighs, feet are on both)
      return regions.filter(function (o) {
        return o.getAttribute('data-location') === r.getAttribute('data-location') && o.getAttribute('data-side') === r.getAttribute('data-side');
      });
    }
    function pressed() { return regions.filter(function (r) { return r.getAttribute('aria-pressed') === 'true'; }); }

    function say() {
      if (!chosen) return;
      const names = [];
      pressed().forEach(function (r) { if (names.indexOf(label(r)) === -1) names.push(label(r)); });
      chosen.textContent = names.length ? 'Chosen: ' + names.join('; ') : '';
    }

    function showView(view) {
      map.querySelectorAll('[data-view-toggle]').forEach(function (b) {
        b.setAttribute('aria-pressed', b.getAttribute('data-view-toggle') === view ? 'true' : 'false');
      });
      map.querySelectorAll('[data-view]').forEach(function (v) { v.hidden = v.getAttribute('data-view') !== view; });
      const hint = map.querySelector('[data-view-hint]');
      if (hint) hint.textContent = hint.getAttribute('data-' + view);
    }
    map.querySelectorAll('[data-view-toggle]').forEach(function (button) {
      button.addEventListener('click', function () { showView(button.getAttribute('data-view-toggle')); });
    });

    function boxes() {
      return Array.prototype.slice.call(map.querySelectorAll('input[type="checkbox"]')).filter(function (b) { return b.name === name; });
    }
    function sideInputs() {
      return form ? Array.prototype.slice.call(form.querySelectorAll('input[type="radio"][name="side"]')) : [];
    }
    function set(input, checked) {
      if (input.checked === checked) return;
      input.checked = checked;
      input.dispatchEvent(new Event('change', { bubbles: true })); // the draft keeper saves it
    }

    // Multi: the figure from the form's values.
    function paint() {
      const locations = boxes().filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
      const side = sideInputs().filter(function (r) { return r.checked; }).map(function (r) { return r.value; })[0] || '';
      const wanted = SIDES_OF[side] || [];
      regions.forEach(function (r) {
        const loc = r.getAttribute('data-location');
        const regionSide = r.getAttribute('data-side');
        const on = locations.indexOf(loc) !== -1 && (regionSide === null || middleOnly[loc] || wanted.indexOf(regionSide) !== -1);
        r.setAttribute('aria-pressed', on ? 'true' : 'false');
      });
      say();
    }

    // Multi: the form's values from a tap. One side is kept per log, so it follows every region chosen.
    function sideFrom(list) {
      const lateral = {};
      let middle = false;
      list.forEach(function (r) {
        const s = r.getAttribute('data-side');
        if (s === 'left' || s === 'right') lateral[s] = true;
        else if (s === 'central') middle = true;
      });
      if (lateral.left && lateral.right) return 'both';
      if (lateral.left) return 'left';
      if (lateral.right) return 'right';
      return middle ? 'central' : null;
    }

    function toggle(region) {
      const on = region.getAttribute('aria-pressed') !== 'true';
      twins(region).forEach(function (r) { r.setAttribute('aria-pressed', on ? 'true' : 'false'); });
      const loc = region.getAttribute('data-location');
      const stillOn = pressed().some(function (r) { return r.getAttribute('data-location') === loc; });
      syncing = true;
      boxes().forEach(function (b) { if (b.value === loc) set(b, stillOn); });
      if (region.hasAttribute('data-side')) {
        const side = sideFrom(pressed());
        if (side) sideInputs().forEach(function (r) { if (r.value === side) set(r, true); });
      }
      syncing = false;
      say();
    }

    regions.forEach(function (region) {
      region.addEventListener('click', function () {
        if (mode === 'multi') { toggle(region); return; }
        const mine = twins(region);
        regions.forEach(function (r) { r.setAttribute('aria-pressed', mine.indexOf(r) !== -1 ? 'true' : 'false'); });
        say();
        map.dispatchEvent(new CustomEvent('coach:bodymap', {
          bubbles: true,
          detail: { location: region.getAttribute('data-location'), side: region.getAttribute('data-side') },
        }));
      });
    });

    if (mode === 'multi') {
      const watch = form || map;
      watch.addEventListener('change', function (event) {
        if (syncing) return;
        const t = event.target;
        if ((t.type === 'checkbox' && t.name === name) || (t.type === 'radio' && t.name === 'side')) paint();
      });
      watch.addEventListener('coach:draft-restored', paint);
      if (form) form.addEventListener('reset', function () { setTimeout(paint, 0); });
      paint();
    } else {
      say();
    }
    if (ui) ui.hidden = false;
  }

  document.querySelectorAll('[data-bodymap]').forEach(init);
})();
