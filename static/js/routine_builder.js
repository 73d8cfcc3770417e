/* The routine builder on the page: add a step (my own, or one from the library with its words and time), move a
 * step up or down (the focus stays on the moved step and the live region says where it went), drag it by its
 * handle (pointer events: finger, pen or mouse), remove it. After each change the step fields are renumbered
 * (steps-<n>-<field>), so the form posts them in the order shown. Without this script the same buttons post the
 * form and the server makes each change (coach/trainer/routine_routes.py).
 *
 * A move never takes the moved step out of the page: its neighbour goes round it instead, so the focused button
 * keeps the focus and a drag keeps its pointer. */
(function () {
  'use strict';

  const form = document.querySelector('[data-builder]');
  if (!form) return;
  const list = form.querySelector('[data-steps]');
  const template = form.querySelector('[data-step-template]');
  const live = document.querySelector('[data-builder-live]');
  const library = form.querySelector('[data-library]');
  const max = Number(form.getAttribute('data-max-steps')) || 50;
  const NUMBERED = /steps-(\d+|__i__)-/g;
  const ATTRS = ['name', 'id', 'for', 'aria-describedby'];

  function cards() {
    return Array.prototype.filter.call(list.children, function (el) { return el.hasAttribute('data-step'); });
  }

  function say(text) {
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function titleOf(card) {
    const input = card.querySelector('input[name$="-title"]');
    return input && input.value.trim() ? input.value.trim() : 'Untitled step';
  }

  function renumber() {
    const all = cards();
    all.forEach(function (card, i) {
      card.querySelectorAll('[name], [id], [for], [aria-describedby]').forEach(function (el) {
        ATTRS.forEach(function (attr) {
          const value = el.getAttribute(attr);
          if (value && value.indexOf('steps-') !== -1) el.setAttribute(attr, value.replace(NUMBERED, 'steps-' + i + '-'));
        });
      });
      card.querySelector('[data-step-label]').textContent = 'Step ' + (i + 1);
      card.querySelectorAll('[data-step-n]').forEach(function (el) { el.textContent = String(i + 1); });
      card.querySelectorAll('[data-step-action]').forEach(function (button) {
        const verb = button.getAttribute('data-step-action');
        button.value = verb + '-' + i;
        button.disabled = (verb === 'up' && i === 0) || (verb === 'down' && i === all.length - 1);
      });
    });
    const full = all.length >= max;
    form.querySelector('[data-add-own]').disabled = full;
    form.querySelector('[data-add-stock]').disabled = full;
    form.querySelector('[data-full]').hidden = !full;
  }

  function mark(card) {
    card.classList.remove('is-moved');
    void card.offsetWidth; // restart the highlight
    card.classList.add('is-moved');
  }

  function where(card) {
    const all = cards();
    return 'step ' + (all.indexOf(card) + 1) + ' of ' + all.length;
  }

  /* ---------- Move up, move down, remove ---------- */
  function move(card, verb) {
    const all = cards();
    const i = all.indexOf(card);
    if (verb === 'up' && i > 0) list.insertBefore(all[i - 1], card.nextSibling);
    else if (verb === 'down' && i < all.length - 1) list.insertBefore(all[i + 1], card);
    else return;
    renumber();
    mark(card);
    const same = card.querySelector('[data-step-action="' + verb + '"]');
    const other = card.querySelector('[data-step-action="' + (verb === 'up' ? 'down' : 'up') + '"]');
    (same.disabled ? other : same).focus();
    say(titleOf(card) + ' moved to ' + where(card) + '.');
  }

  function remove(card) {
    const all = cards();
    const i = all.indexOf(card);
    const title = titleOf(card);
    card.remove();
    renumber();
    const left = cards();
    const next = left[Math.min(i, left.length - 1)];
    if (next) next.querySelector('input[name$="-title"]').focus();
    else form.querySelector('[data-add-own]').focus();
    say(title + ' removed. ' + left.length + (left.length === 1 ? ' step left.' : ' steps left.'));
  }

  /* ---------- Add ---------- */
  function newCard() {
    const card = template.content.firstElementChild.cloneNode(true);
    const handle = card.querySelector('[data-drag-handle]');
    if (handle) handle.hidden = false;
    list.appendChild(card);
    renumber();
    return card;
  }

  function addOwn() {
    if (cards().length >= max) return;
    const card = newCard();
    card.querySelector('input[name$="-title"]').focus();
    say('Step ' + cards().length + ' added. Give it a title.');
  }

  function addStock() {
    const option = library.options[library.selectedIndex];
    if (!option || !option.value) {
      library.focus();
      say('Choose a step from the library list first.');
      return;
    }
    if (cards().length >= max) return;
    const card = newCard();
    card.querySelector('input[name$="-title"]').value = option.getAttribute('data-title');
    card.querySelector('textarea[name$="-instruction"]').value = option.getAttribute('data-instruction');
    card.querySelector('input[name$="-seconds"]').value = option.getAttribute('data-seconds');
    card.querySelector('input[name$="-optional"]').checked = option.getAttribute('data-optional') === 'true';
    card.querySelector('input[name$="-stock_step"]').value = option.value;
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.textContent = 'From the library';
    card.querySelector('[data-step-label]').after(badge);
    library.value = '';
    mark(card);
    card.querySelector('input[name$="-title"]').focus();
    say(option.getAttribute('data-title') + ' added as ' + where(card) + '.');
  }

  form.addEventListener('click', function (event) {
    const button = event.target.closest('button');
    if (!button || !form.contains(button)) return;
    const verb = button.getAttribute('data-step-action');
    if (verb) {
      event.preventDefault();
      const card = button.closest('[data-step]');
      if (verb === 'remove') remove(card); else move(card, verb);
    } else if (button.hasAttribute('data-add-own')) {
      event.preventDefault();
      addOwn();
    } else if (button.hasAttribute('data-add-stock')) {
      event.preventDefault();
      addStock();
    }
  });

  /* ---------- Drag by the handle ---------- */
  let drag = null;
  function middle(el) {
    const box = el.getBoundingClientRect();
    return box.top + box.height / 2;
  }

  list.addEventListener('pointerdown', function (event) {
    const handle = event.target.closest('[data-drag-handle]');
    if (!handle || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    const card = handle.closest('[data-step]');
    try { handle.setPointerCapture(event.pointerId); } catch (err) { /* the document listeners still follow it */ }
    drag = { card: card, pointer: event.pointerId, from: cards().indexOf(card) };
    card.classList.add('is-dragging');
  });

  document.addEventListener('pointermove', function (event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    event.preventDefault();
    const all = cards();
    const i = all.indexOf(drag.card);
    const y = event.clientY;
    if (all[i - 1] && y < middle(all[i - 1])) list.insertBefore(all[i - 1], drag.card.nextSibling);
    else if (all[i + 1] && y > middle(all[i + 1])) list.insertBefore(all[i + 1], drag.card);
    // Near the screen's top or bottom edge the page scrolls, so a step can travel past what is in view.
    if (y < 72) window.scrollBy(0, -12);
    else if (y > window.innerHeight - 96) window.scrollBy(0, 12);
  }, { passive: false });

  function endDrag(event) {
    if (!drag || event.pointerId !== drag.pointer) return;
    const card = drag.card;
    const from = drag.from;
    drag = null;
    card.classList.remove('is-dragging');
    renumber();
    if (cards().indexOf(card) !== from) {
      mark(card);
      say(titleOf(card) + ' moved to ' + where(card) + '.');
    }
  }
  document.addEventListener('pointerup', endDrag);
  document.addEventListener('pointercancel', endDrag);

  /* ---------- Start ---------- */
  form.querySelectorAll('[data-drag-handle]').forEach(function (handle) { handle.hidden = false; });
  const help = form.querySelector('[data-drag-help]');
  if (help) help.hidden = false;
  renumber();
})();
