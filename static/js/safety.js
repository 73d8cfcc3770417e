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
 *   bind(section, opts)  wires one rendered check:
 *     opts.saveEpisode(fields) -> Promise   a "Yes" or a tick on this spasm's log (the episode upsert, contract 6)
 *     opts.urgent()  -> [keys]               the ticks saved so far (a reload keeps them, where the page keeps state)
 *     opts.onTicked(key)                     a tick was saved
 *     opts.onYes()  -> false to ignore the tap (the page is already leaving); called before saving
 *     opts.beforeLeave()                     just before the emergency screen opens
 *     opts.onAllNo(event)                    "No to all of these" (already remembered as answered)
 * }
 * Any "Yes" is saved (the symptom code, or trigger: accident) and then opens its /emergency?reason=<code> link;
 * the emergency screen never waits longer than STORE_WAIT_MS for the phone's storage. A tick is saved at once
 * (profile answers through PATCH /api/v1/me) and never holds relief back.
 */
(function () {
  'use strict';

  const CHECKED_KEY = 'coach:safety-checked-at';
  const CHECK_HOURS = 12;
  const STORE_WAIT_MS = 1500;

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

  function labelOf(input) { return input.closest('label').textContent.trim(); }

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
    box.hidden = false;
    ticks.forEach(function (input) {
      input.checked = opts.urgent().indexOf(input.value) !== -1; // a reload keeps what was saved
      input.addEventListener('change', async function () {
        const saved = opts.urgent().indexOf(input.value) !== -1;
        if (!input.checked) {
          // A saved answer is on the spasm's log already; taking the tick away here would not remove it.
          if (saved) {
            input.checked = true;
            status.textContent = 'Already saved on this spasm\'s log. You can change it in your diary.';
          }
          return;
        }
        if (saved) return;
        const fields = JSON.parse(input.getAttribute('data-saves'));
        try {
          if (input.getAttribute('data-target') === 'profile') {
            await Outbox.add('profile', '/api/v1/me', fields, { method: 'PATCH' });
          } else {
            await opts.saveEpisode(fields);
          }
        } catch (err) {
          input.checked = false;
          status.textContent = 'This phone could not save it (storage is blocked). Tell a doctor about it.';
          return;
        }
        opts.onTicked(input.value);
        status.textContent = 'Saved: ' + labelOf(input) + '. We\'ll show what to do before the routine.';
        Outbox.flush().catch(function () { /* sent later */ });
      });
    });

    return {
      // The labels of the ticks saved so far, in the list's order (the reasons shown with the urgent advice).
      tickedLabels: function () {
        return ticks.filter(function (input) { return opts.urgent().indexOf(input.value) !== -1; }).map(labelOf);
      },
    };
  }

  window.CoachSafety = {
    CHECKED_KEY: CHECKED_KEY, CHECK_HOURS: CHECK_HOURS,
    markChecked: markChecked, checkedRecently: checkedRecently, country: country, bind: bind,
  };
})();
