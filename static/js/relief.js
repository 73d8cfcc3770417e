/* Relief Coach: behaviour shared by the relief and routines pages (needs outbox.js first).
 * - remembers who rendered the page ([data-identity]) so offline writes know whose they are
 * - replays the outbox on load, when the network returns and when the service worker says so,
 *   and shows what is waiting ([data-outbox-status]); offers signed-out logs after sign-in ([data-outbox-offer])
 * - list filters that also work on the offline copy ([data-filter-list])
 * - window.CoachRelief.scale(fieldset, onPick): the 0-10 button scales
 */
(function () {
  'use strict';

  const Outbox = window.CoachOutbox;

  /* ---------- Identity ---------- */
  function readIdentity() {
    const el = document.querySelector('[data-identity][data-user-id]');
    // Only a fresh signed-in rendering has the id; a signed-out or cached copy leaves the memory alone.
    if (el && Outbox) Outbox.rememberIdentity({ user_id: Number(el.getAttribute('data-user-id')), country: el.getAttribute('data-country') });
  }

  /* ---------- 0-10 scales ---------- */
  // Each number is a button (Tab, Enter, Space); the arrow keys, Home and End also move between them.
  function scale(fieldset, onPick) {
    const buttons = Array.prototype.slice.call(fieldset.querySelectorAll('[data-value]'));
    fieldset.addEventListener('click', function (event) {
      const button = event.target.closest('[data-value]');
      if (!button) return;
      buttons.forEach(function (b) { b.setAttribute('aria-pressed', b === button ? 'true' : 'false'); });
      onPick(Number(button.getAttribute('data-value')));
    });
    fieldset.addEventListener('keydown', function (event) {
      const at = buttons.indexOf(event.target);
      if (at === -1) return;
      const to = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (to === undefined) return;
      event.preventDefault();
      buttons[Math.max(0, Math.min(buttons.length - 1, to))].focus();
    });
  }

  /* ---------- Outbox status and the sign-in offer ---------- */
  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  // What the items are, said as the person sees them: spasms (several upserts of one spasm's client id are one
  // spasm; each POSTed log is one), routine sessions, and answers for the profile (the SOS urgent line).
  // -> {text: '1 spasm log, 1 routine session and an answer for your profile', count: 3}
  function describe(items) {
    const spasms = new Set();
    let sessions = 0;
    let answers = 0;
    items.forEach(function (item) {
      if (item.kind === 'episode') {
        const upsert = /\/by-client\/([^/?#]+)$/.exec(item.url || '');
        spasms.add(upsert ? 'spasm:' + decodeURIComponent(upsert[1]) : 'item:' + item.id);
      } else if (item.kind === 'session') sessions += 1;
      else if (item.kind === 'profile') answers += 1;
    });
    const parts = [];
    if (spasms.size) parts.push(plural(spasms.size, 'spasm log', 'spasm logs'));
    if (sessions) parts.push(plural(sessions, 'routine session', 'routine sessions'));
    if (answers) parts.push(answers === 1 ? 'an answer for your profile' : answers + ' answers for your profile');
    const text = parts.length > 1 ? parts.slice(0, -1).join(', ') + ' and ' + parts[parts.length - 1] : (parts[0] || '');
    return { text: text, count: spasms.size + sessions + answers };
  }

  let lastState = null;

  async function refresh() {
    if (!Outbox) return;
    let items = [];
    try { items = await Outbox.all(); } catch (err) { return; }
    const me = (lastState && lastState.user_id) || Outbox.identity().user_id;
    const failed = items.filter(function (i) { return i.failed; });
    const waiting = items.filter(function (i) { return !i.failed && i.owner !== null && i.owner === me; });
    const unowned = items.filter(function (i) { return !i.failed && (i.owner === null || i.owner !== me); });
    const lines = [];
    if (waiting.length) lines.push(plural(waiting.length, 'item', 'items') + ' waiting to sync. Saved on this phone, will sync.');
    if (unowned.length) {
      lines.push(describe(unowned).text + ' saved on this phone' +
        (lastState && lastState.user_id ? ' while signed out.' : '. Sign in to add to your diary.'));
    }
    if (failed.length) lines.push(plural(failed.length, 'item', 'items') + ' could not be saved: ' + failed[0].failed);
    document.querySelectorAll('[data-outbox-status]').forEach(function (el) {
      el.textContent = lines.join(' ');
      el.hidden = lines.length === 0;
      el.classList.toggle('is-failed', failed.length > 0);
    });
    showOffer(unowned, failed);
  }

  // Signed in, with things saved here while signed out: ask before they join this person's diary
  // (the phone may be shared). Failed items can only be discarded.
  function showOffer(unowned, failed) {
    const card = document.querySelector('[data-outbox-offer]');
    if (!card) return;
    const signedIn = !!(lastState && lastState.user_id);
    const offer = signedIn ? unowned : [];
    card.hidden = offer.length === 0 && failed.length === 0;
    if (card.hidden) return;
    const text = [];
    if (offer.length) {
      const offered = describe(offer);
      text.push(offered.text + (offered.count === 1 ? ' was' : ' were') + ' saved on this phone while signed out.');
    }
    if (failed.length) text.push(describe(failed).text + ' could not be saved: ' + failed[0].failed);
    card.querySelector('[data-offer-text]').textContent = text.join(' ');
    card.querySelector('[data-offer-accept]').hidden = offer.length === 0;
    card.dataset.ids = offer.concat(failed).map(function (i) { return i.id; }).join(',');
  }

  function bindOffer() {
    const card = document.querySelector('[data-outbox-offer]');
    if (!card) return;
    card.querySelector('[data-offer-accept]').addEventListener('click', async function () {
      if (!lastState || !lastState.user_id) return;
      await Outbox.adopt(lastState.user_id);
      refresh();
    });
    card.querySelector('[data-offer-discard]').addEventListener('click', async function () {
      await Outbox.discard((card.dataset.ids || '').split(',').filter(Boolean));
      refresh();
    });
  }

  async function sync() {
    if (!Outbox) return;
    try {
      const outcome = await Outbox.flush();
      if (outcome.state) lastState = outcome.state;
    } catch (err) { /* storage unavailable: nothing to replay */ }
    refresh();
  }

  /* ---------- Filters ---------- */
  function filters() {
    document.querySelectorAll('[data-filter-list]').forEach(function (list) {
      const links = Array.prototype.slice.call(list.querySelectorAll('[data-filter]'));
      const items = list.querySelectorAll('[data-kind]');
      const empty = list.querySelector('[data-filter-empty]');
      function apply(value) {
        let shown = 0;
        items.forEach(function (item) {
          item.hidden = !!value && item.getAttribute('data-kind') !== value;
          if (!item.hidden) shown += 1;
        });
        links.forEach(function (link) {
          if (link.getAttribute('data-filter') === value) link.setAttribute('aria-current', 'true');
          else link.removeAttribute('aria-current');
        });
        if (empty) empty.hidden = shown > 0;
      }
      links.forEach(function (link) {
        link.addEventListener('click', function (event) {
          event.preventDefault();
          apply(link.getAttribute('data-filter'));
          window.history.replaceState(null, '', link.getAttribute('href'));
        });
      });
      // The copy kept for offline use is unfiltered: apply the filter named in the address.
      const params = new URLSearchParams(window.location.search);
      const current = links.filter(function (link) {
        const value = link.getAttribute('data-filter');
        if (!value) return false;
        const own = new URL(link.href, window.location.href).searchParams;
        return Array.from(own.keys()).some(function (key) { return params.get(key) === value; });
      })[0];
      apply(current ? current.getAttribute('data-filter') : '');
    });
  }

  window.CoachRelief = { scale: scale, refresh: refresh, sync: sync };

  readIdentity();
  filters();
  bindOffer();
  if (Outbox) {
    Outbox.onChange(refresh);
    sync();
    window.addEventListener('online', sync);
    if (navigator.serviceWorker) {
      navigator.serviceWorker.addEventListener('message', function (event) {
        if (event.data && event.data.type === 'outbox-synced') refresh();
      });
    }
  }
})();
