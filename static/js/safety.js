/* The safety check before relief (templates/relief/_safety_check.html), shared by SOS (sos.js) and the player
 * (player.js). CONTENT.md section 0: asked on the SOS path, and before a routine is started when no check was
 * answered on this phone in the last 12 hours.
 *
 * window.CoachSafety = {
 *   CHECKED_KEY, CHECK_HOURS,
 *   markChecked()        "No to all of these" was answered now (localStorage 'coach:safety-checked-at', epoch ms)
 *   checkedRecently()    true when that answer is from the last 12 hours (and not from the future)
 *   country(fallback)    the country this phone knows (fresh signed-in page, then the remembered one, then the
 *                        phone's language, then fallback), for the urgent advice's wording
 *   fillUrgent(box, wordingJson, fallbackCountry, reasons)
 *                        the urgent advice in the wording of the country this phone knows (wordingJson: the
 *                        page's {country: text, '': generic}) and the reasons as a list, into box's
 *                        [data-urgent-advice-text] and [data-urgent-reasons]
 *   bind(section, opts)  wires one rendered check:
 *     opts.saveEpisode(fields) -> Promise   a "Yes" or a tick on this spasm's log (the episode upsert, contract 6)
 *     opts.urgent()  -> [keys]               the ticks saved so far (a reload keeps them, where the page keeps state)
 *     opts.onTicked(key)                     a tick was saved
 *     opts.onUnticked(key)                   a tick was undone (without it, the key is taken out of the list
 *                                            opts.urgent() returned, in place)
 *     opts.onYes()  -> false to ignore the tap (the page is already leaving); called before saving
 *     opts.beforeLeave()                     just before the emergency screen opens
 *     opts.onAllNo(event)                    "No to all of these" (already remembered as answered)
 * }
 * Any "Yes" is saved (the symptom code, or trigger: accident) and then opens its /emergency?reason=<code> link;
 * the emergency screen never waits longer than STORE_WAIT_MS for the phone's storage. A tick is saved at once
 * (profile answers through PATCH /api/v1/me) and never holds relief back. Tapping it again undoes it through the
 * outbox too (data-undoes: the symptom off this spasm, locked_minutes back to not recorded while still 61, the
 * profile's cancer answer back to false); taps are queued in order, so tick -> untick -> tick ends ticked,
 * offline too. A cancer answer the profile already had is shown ticked and fixed ("From your profile"): this
 * page never takes it back (PROFILE_KEY remembers the last signed-in page's answer for the offline copy).
 */
(function () {
  'use strict';

  const CHECKED_KEY = 'coach:safety-checked-at';
  const CHECK_HOURS = 12;
  const STORE_WAIT_MS = 1500;
  const PROFILE_KEY = 'coach:profile-cancer';

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function markChecked() {
    try { window.localStorage.setItem(CHECKED_KEY, String(Date.now())); } catch (err) { /* asked again next time */ }
  }

  function checkedRecently() {
    let at = NaN;
    try { at = Number(window.localStorage.getItem(CHECKED_KEY)); } catch (err) { at = NaN; }
    const age = Date.now() - at;
    return Number.isFinite(at) && at > 0 && age >= 0 && age < CHECK_HOURS * 3600 * 1000;
  }

  function country(fallback) {
    const fresh = document.querySelector('[data-identity][data-user-id]');
    if (fresh) return fresh.getAttribute('data-country') || '';
    const remembered = window.CoachOutbox ? window.CoachOutbox.identity().country : '';
    if (remembered) return remembered;
    const region = String(navigator.language || '').split('-').pop().toUpperCase();
    return /^[A-Z]{2}$/.test(region) ? region : (fallback || '');
  }

  function labelOf(input) {
    const label = input.closest('label');
    return (label.querySelector('[data-urgent-label]') || label).textContent.trim();
  }

  // The profile's cancer answer: a fresh signed-in page says it (and is remembered for this person); the copy
  // kept for offline use is signed out, so it uses what was remembered for whoever last signed in here.
  function profileHasCancer() {
    const fresh = document.querySelector('[data-identity][data-user-id]');
    if (fresh && fresh.hasAttribute('data-cancer-history')) {
      const yes = fresh.getAttribute('data-cancer-history') === 'true';
      rememberCancer(fresh.getAttribute('data-user-id'), yes);
      return yes;
    }
    let kept = null;
    try { kept = JSON.parse(window.localStorage.getItem(PROFILE_KEY) || 'null'); } catch (err) { kept = null; }
    const who = window.CoachOutbox ? window.CoachOutbox.identity().user_id : null;
    return Boolean(kept && who !== null && String(kept.user_id) === String(who) && kept.cancer_history === true);
  }
  function rememberCancer(userId, yes) {
    try {
      window.localStorage.setItem(PROFILE_KEY, JSON.stringify({ user_id: userId, cancer_history: yes }));
    } catch (err) { /* the offline copy then offers the tick */ }
  }

  function bind(section, opts) {
    const Outbox = window.CoachOutbox;

    section.querySelectorAll('[data-safety-yes]').forEach(function (link) {
      link.addEventListener('click', async function (event) {
        event.preventDefault();
        if (opts.onYes && opts.onYes() === false) return;
        const fields = JSON.parse(link.getAttribute('data-saves'));
        // The emergency screen matters more than the record: it never waits long for storage.
        await Promise.race([opts.saveEpisode(fields).catch(function () { return null; }), wait(STORE_WAIT_MS)]);
        if (opts.beforeLeave) opts.beforeLeave();
        window.location.assign(link.href);
      });
    });

    section.querySelector('[data-safety-all-no]').addEventListener('click', function (event) {
      markChecked();
      opts.onAllNo(event);
    });

    const box = section.querySelector('[data-urgent-items]');
    const status = section.querySelector('[data-urgent-status]');
    const ticks = Array.prototype.slice.call(section.querySelectorAll('[data-urgent-item]'));
    function isSaved(key) { return opts.urgent().indexOf(key) !== -1; }
    function forget(key) {
      if (opts.onUnticked) { opts.onUnticked(key); return; }
      const list = opts.urgent();
      const at = list.indexOf(key);
      if (at !== -1) list.splice(at, 1);
    }
    let queue = Promise.resolve(); // one tap at a time, in order: the outbox replays oldest first
    box.hidden = false;
    ticks.forEach(function (input) {
      const key = input.value;
      const profile = input.getAttribute('data-target') === 'profile';
      input.checked = isSaved(key); // a reload keeps what was saved
      if (profile && !isSaved(key) && profileHasCancer()) {
        // Already in the profile before this check: shown, never taken back from here.
        input.checked = true;
        input.disabled = true;
        const note = input.closest('label').querySelector('[data-from-profile]');
        if (note) note.hidden = false;
        return;
      }
      // Brings what is saved in line with the box as it is now (several quick taps may be waiting).
      async function settle() {
        const want = input.checked;
        if (want === isSaved(key)) return;
        const body = JSON.parse(input.getAttribute(want ? 'data-saves' : 'data-undoes'));
        try {
          if (profile) {
            await Outbox.add('profile', '/api/v1/me', body, { method: 'PATCH' });
          } else {
            await opts.saveEpisode(body);
          }
        } catch (err) {
          input.checked = !want;
          status.textContent = want
            ? 'This phone could not save it (storage is blocked). Tell a doctor about it.'
            : 'This phone could not undo it (storage is blocked). You can change it in '
              + (profile ? 'Me > About you.' : 'your diary.');
          return;
        }
        if (want) {
          opts.onTicked(key);
          status.textContent = profile ? 'Saved in your profile. Tap again to undo.' : 'Saved. Tap again to undo.';
        } else {
          forget(key);
          if (profile) {
            const fresh = document.querySelector('[data-identity][data-user-id]');
            const who = fresh ? fresh.getAttribute('data-user-id') : (Outbox.identity().user_id);
            if (who !== null && who !== undefined) rememberCancer(String(who), false);
          }
          status.textContent = profile ? 'Removed from your profile.' : 'Removed.';
        }
        Outbox.flush().catch(function () { /* sent later */ });
      }
      input.addEventListener('change', function () {
        queue = queue.then(settle, settle);
      });
    });

    return {
      // The labels of the ticks saved so far, in the list's order (the reasons shown with the urgent advice).
      tickedLabels: function () {
        return ticks.filter(function (input) { return isSaved(input.value); }).map(labelOf);
      },
    };
  }

  function fillUrgent(box, wordingJson, fallbackCountry, reasons) {
    let wording = {};
    try { wording = JSON.parse(wordingJson || '{}') || {}; } catch (err) { wording = {}; }
    const text = wording[country(fallbackCountry || '')] || wording[''];
    if (text) box.querySelector('[data-urgent-advice-text]').textContent = text;
    const list = box.querySelector('[data-urgent-reasons]');
    list.textContent = '';
    reasons.forEach(function (reason) {
      const li = document.createElement('li');
      li.textContent = reason;
      list.appendChild(li);
    });
  }

  window.CoachSafety = {
    CHECKED_KEY: CHECKED_KEY, CHECK_HOURS: CHECK_HOURS,
    markChecked: markChecked, checkedRecently: checkedRecently, country: country, fillUrgent: fillUrgent, bind: bind,
  };
})();
