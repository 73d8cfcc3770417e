/* Relief Coach: the emergency screen on the phone (needs level.js, and outbox.js for the remembered country).
 * The screen is kept for offline use as a signed-out copy of /emergency, so its reason and country lines are
 * chosen again here, by the server's own rules:
 * - reason: only a code from the page's list (data-reasons, contract 8); `assessment` names the top emergency
 *   flag of the level stored on this phone; anything else shows the default line. Never text from the address.
 * - country: the signed-in person's (server), the one remembered on this phone, ?country=, the phone's language;
 *   its lines come from the page's table (data-wording: number, what to do, the line under the call button, and
 *   for the 112 fallback its note).
 */
(function () {
  'use strict';

  const el = document.querySelector('[data-emergency]');
  if (!el) return;

  function json(name) {
    try { return JSON.parse(el.getAttribute(name) || '{}'); } catch (err) { return {}; }
  }

  function regionOf(tag) {
    const parts = String(tag || '').split('-');
    const region = parts.length > 1 ? parts[parts.length - 1].toUpperCase() : '';
    return /^[A-Z]{2}$/.test(region) ? region : '';
  }

  const params = new URLSearchParams(window.location.search);

  /* ---------- Reason ---------- */
  function reasonLine() {
    const code = params.get('reason') || '';
    const reasons = json('data-reasons');
    if (code === 'assessment') {
      const level = window.CoachLevel && window.CoachLevel.current();
      return level && level.level === 'emergency' && level.reason ? level.reason : null;
    }
    return Object.prototype.hasOwnProperty.call(reasons, code) ? reasons[code] : null;
  }

  const reasonEl = el.querySelector('[data-reason]');
  const code = params.get('reason') || '';
  // The server rendered this address itself (online): its line stands. A copy rendered for another address
  // (the offline copy of /emergency) gets the line for this one.
  if (reasonEl.getAttribute('data-reason-code') !== code || code === '' || (code === 'assessment' && reasonLine())) {
    reasonEl.textContent = reasonLine() || el.getAttribute('data-default-reason');
    reasonEl.setAttribute('data-reason-code', code);
  }

  /* ---------- Country ---------- */
  const wording = json('data-wording');
  const source = el.getAttribute('data-country-source');
  const asked = (params.get('country') || '').toUpperCase();
  const outbox = window.CoachOutbox;
  const remembered = outbox && outbox.identity ? outbox.identity().country : '';
  let country = '';
  if (source === 'user') country = el.getAttribute('data-country');
  else if (remembered) country = remembered;
  else if (/^[A-Z]{2}$/.test(asked)) country = asked;
  else {
    country = regionOf(navigator.language) ||
      (navigator.languages || []).map(regionOf).filter(Boolean)[0] || el.getAttribute('data-country') || '';
  }
  const lines = wording[country] || wording[''];
  if (lines) {
    el.querySelectorAll('[data-number]').forEach(function (n) { n.textContent = lines.number; });
    el.querySelector('[data-call]').setAttribute('href', 'tel:' + lines.number);
    el.querySelector('[data-call-todo]').textContent = lines.todo;
    el.querySelector('[data-country-line]').textContent = lines.label;
    const note = el.querySelector('[data-fallback-note]');
    note.textContent = lines.note || '';
    note.hidden = !lines.note;
  }
  el.setAttribute('data-resolved-country', wording[country] ? country : '');

  /* ---------- I'm safe now ---------- */
  // At emergency, home leads straight back here: the diary is where the log can be checked.
  const level = window.CoachLevel && window.CoachLevel.current();
  if (level && level.level === 'emergency') el.querySelector('[data-safe]').setAttribute('href', '/diary');
})();
