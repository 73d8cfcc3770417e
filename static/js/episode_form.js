/* Relief Coach: the detailed log form (templates/episodes/form.html) and the check-in's notes. ES2019, no modules.
 * - the error summary at the top (focused, with its links, by app.js) also lists what stops a log being saved
 *   on this phone when there is no connection
 * - counters on free-text fields with data-limit: shown near the limit, and over it they say how many characters
 *   to cut; the text is never cut (no maxlength), the server keeps it and says the same
 * - a new log (form[data-offline-log]) sent with no connection is saved on this phone instead: the outbox
 *   (outbox.js) replays it to the API when the network returns (relief.js on 'online', the service worker's sync).
 *   Online, the form is sent as usual, once (app.js's one-send-per-tap guard), after a quick check that the
 *   server answers, so a form is never sent into a dead connection.
 */
(function () {
  'use strict';

  const NEAR = 0.8; // counters appear at 80% of the limit
  const PROBE_MS = 5000;

  function number(n) { return n.toLocaleString('en-GB'); }

  // The server counts Unicode characters after trimming, a line break as one: count the same way.
  function lengthOf(value) { return Array.from(String(value || '').replace(/\r\n?/g, '\n').trim()).length; }

  /* ---------- Counters ---------- */
  function counters(root) {
    root.querySelectorAll('[data-counter-for]').forEach(function (note) {
      const input = document.getElementById(note.getAttribute('data-counter-for'));
      const limit = Number(note.getAttribute('data-limit'));
      if (!input || !limit) return;
      const resting = note.textContent;
      note.setAttribute('aria-live', 'polite');
      function update() {
        const used = lengthOf(input.value);
        note.classList.toggle('counter-over', used > limit);
        if (used > limit) {
          const cut = used - limit;
          note.textContent = number(used) + ' characters: ' + number(cut) + ' too many. Shorten it by ' + number(cut) +
            (cut === 1 ? ' character' : ' characters') + ' to save it. Nothing is cut for you.';
        } else if (used >= limit * NEAR) {
          note.textContent = number(used) + ' of ' + number(limit) + ' characters.';
        } else {
          note.textContent = resting;
        }
      }
      input.addEventListener('input', update);
      input.form && input.form.addEventListener('coach:draft-restored', update);
      update();
    });
  }

  /* ---------- Error summary ---------- */
  // The summary (_macros.html error_summary) is focused on load by app.js, which also moves the focus from its
  // links; here it lists what stops a log being saved on this phone, in the server's words: "Label: message",
  // or the message alone for a problem of no one field.
  function errorSummary(form) {
    return form.querySelector('[data-error-summary]');
  }

  function showErrors(form, summary, problems) {
    const list = summary.querySelector('[data-error-list]');
    list.textContent = '';
    // In the order of the page, as the server lists them; a problem of no one field first.
    const at = function (p) { return p.field ? document.getElementById(p.field) : null; };
    problems.slice().sort(function (a, b) {
      const x = at(a);
      const y = at(b);
      if (!x || !y || x === y) return x && !y ? 1 : (y && !x ? -1 : 0);
      return x.compareDocumentPosition(y) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1;
    }).forEach(function (p) {
      const item = document.createElement('li');
      if (p.field) {
        const link = document.createElement('a');
        link.href = '#' + p.field;
        link.setAttribute('data-field', p.field);
        link.textContent = fieldLabel(form, p.field) + ': ' + p.message;
        item.appendChild(link);
      } else {
        item.className = 'error-summary-general';
        item.textContent = p.message;
      }
      list.appendChild(item);
    });
    summary.hidden = problems.length === 0;
    if (problems.length) summary.focus();
  }

  /* ---------- A log saved on this phone ---------- */
  function checked(form, name) {
    return Array.prototype.filter.call(form.elements, function (el) { return el.name === name && el.checked; })
      .map(function (el) { return el.value; });
  }
  function value(form, name) {
    const el = form.elements.namedItem(name);
    if (!el) return '';
    if (el instanceof RadioNodeList || (el.type === 'radio' || el.type === 'checkbox')) return checked(form, name)[0] || '';
    return String(el.value || '');
  }
  function yesNo(raw) { return raw === 'yes' ? true : raw === 'no' ? false : null; }

  // The offset of an IANA zone at a UTC instant, in minutes (local - UTC).
  function offsetAt(zone, utcMs) {
    const parts = {};
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(new Date(utcMs)).forEach(function (p) { parts[p.type] = p.value; });
    const asUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour % 24, +parts.minute, +parts.second);
    return Math.round((asUtc - Math.floor(utcMs / 1000) * 1000) / 60000);
  }

  // "2026-03-20" + "14:05" in the person's zone (not the phone's) -> "2026-03-20T14:05:00+00:00".
  function isoInZone(day, time, zone) {
    const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
    const t = /^(\d{2}):(\d{2})/.exec(time);
    if (!d || !t || +t[1] > 23 || +t[2] > 59) return null;
    const wall = Date.UTC(+d[1], +d[2] - 1, +d[3], +t[1], +t[2]);
    let offset = 0;
    try {
      offset = offsetAt(zone, wall);
      offset = offsetAt(zone, wall - offset * 60000);
    } catch (err) {
      offset = -new Date(wall).getTimezoneOffset();
    }
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    const pad = function (n) { return String(n).padStart(2, '0'); };
    return { iso: d[0] + 'T' + t[1] + ':' + t[2] + ':00' + sign + pad(Math.floor(abs / 60)) + ':' + pad(abs % 60), at: wall - offset * 60000 };
  }

  // A field's name in the summary, as the server writes it: its label without a closing "?" or ":".
  function fieldLabel(form, name) {
    const el = document.getElementById(name);
    if (!el) return name;
    const legend = el.tagName === 'FIELDSET' ? el.querySelector('legend') : form.querySelector('label[for="' + name + '"]');
    return legend ? legend.textContent.trim().replace(/[?:]+$/, '').trim() : name;
  }

  // The API body, and what stops it being saved (the same checks as the server, in its words where they matter).
  function offlineBody(form) {
    const problems = [];
    const body = {};
    const zone = form.getAttribute('data-timezone') || 'UTC';
    const day = value(form, 'started_date');
    const time = value(form, 'started_time');
    if (!day) problems.push({ field: 'started_date', message: 'Enter the date it started.' });
    if (!time) problems.push({ field: 'started_time', message: 'Enter the time it started.' });
    if (day && time) {
      const when = isoInZone(day, time, zone);
      if (!when) problems.push({ field: 'started_date', message: 'Enter the date and time it started.' });
      else if (when.at > Date.now() + 10 * 60000) problems.push({ field: 'started_date', message: "Can't be more than 10 minutes in the future." });
      else body.started_at = when.iso;
    }
    const severity = value(form, 'severity');
    if (severity === '') problems.push({ field: 'severity', message: 'Choose a number from 0 to 10.' });
    else body.severity = Number(severity);
    const locations = checked(form, 'locations');
    if (locations.length) body.locations = locations;
    ['side', 'trigger'].forEach(function (name) { const v = value(form, name); if (v) body[name] = v; });
    ['during_exercise', 'eased_by_stretch'].forEach(function (name) {
      const v = yesNo(value(form, name));
      if (v !== null) body[name] = v;
    });
    const load = value(form, 'load_kg').trim().replace(',', '.');
    if (load) {
      const kg = Number(load);
      if (!isFinite(kg) || kg < 0 || kg > 1000) problems.push({ field: 'load_kg', message: 'Must be a number from 0 to 1000.' });
      else body.load_kg = kg;
    }
    const locked = value(form, 'locked_minutes').trim();
    if (locked) {
      const minutes = Number(locked);
      if (!/^\d+$/.test(locked) || minutes > 1440) problems.push({ field: 'locked_minutes', message: 'Must be a whole number of minutes from 0 to 1440.' });
      else body.locked_minutes = minutes;
    }
    const symptoms = checked(form, 'symptoms');
    if (symptoms.length) body.symptoms = symptoms;
    form.querySelectorAll('[data-limit]').forEach(function (el) {
      if (!el.name) return;
      const text = String(el.value || '').replace(/\r\n?/g, '\n').trim();
      const limit = Number(el.getAttribute('data-limit'));
      const used = lengthOf(text);
      if (used > limit) {
        problems.push({ field: el.id, message: number(used) + ' characters; the limit is ' + number(limit) +
          ': shorten it by ' + number(used - limit) + '.' });
      } else if (text) {
        body[el.name] = text;
      }
    });
    return { body: body, problems: problems };
  }

  // An answer that alone is an emergency: the emergency screen's reason code, or ''.
  function emergencyReason(form, body) {
    let rules = {};
    try { rules = JSON.parse(form.getAttribute('data-offline-emergency') || '{}'); } catch (err) { rules = {}; }
    const symptom = (body.symptoms || []).filter(function (c) { return (rules.symptoms || []).indexOf(c) !== -1; })[0];
    if (symptom) return symptom;
    if (body.trigger && (rules.triggers || []).indexOf(body.trigger) !== -1) return body.trigger;
    const location = (body.locations || []).filter(function (c) { return rules.locations && rules.locations[c]; })[0];
    return location ? rules.locations[location] : '';
  }

  function probe() {
    const timeout = new Promise(function (resolve) { setTimeout(function () { resolve(null); }, PROBE_MS); });
    const ask = fetch('/sync-state', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : { reachable: true }; })
      .catch(function () { return null; });
    return Promise.race([ask, timeout]);
  }

  function offlineLog(form, summary) {
    const Outbox = window.CoachOutbox;
    const result = form.querySelector('[data-offline-saved]');
    const button = form.querySelector('button[type="submit"]');
    let sending = false;

    function sendNormally() {
      form.dataset.checked = 'yes';
      if (typeof form.requestSubmit === 'function') form.requestSubmit(button); else form.submit();
    }

    function watch(item) {
      const text = result.querySelector('[data-offline-text]');
      async function check() {
        let items = [];
        try { items = await Outbox.all(); } catch (err) { return; }
        const mine = items.filter(function (i) { return i.id === item.id; })[0];
        if (!mine) text.textContent = 'Synced: this spasm is in your diary now.';
        else if (mine.failed) text.textContent = 'This log could not be saved: ' + mine.failed;
      }
      Outbox.onChange(check);
      window.addEventListener('online', function () { setTimeout(check, 1500); });
    }

    async function saveHere() {
      const made = offlineBody(form);
      if (made.problems.length) { showErrors(form, summary, made.problems); sending = false; return; }
      showErrors(form, summary, []);
      let item;
      try {
        item = await Outbox.add('episode', form.getAttribute('data-offline-log'), made.body);
      } catch (err) {
        // No storage on this phone: the typing stays in the form (and its draft) for the next try.
        showErrors(form, summary, [{ message: "No connection, and this phone can't store the log. Try again when you are online: what you typed is kept." }]);
        sending = false;
        return;
      }
      if (window.Coach) window.Coach.clearDraft(form);
      const reason = emergencyReason(form, made.body);
      if (reason) {
        window.location.assign('/emergency?reason=' + encodeURIComponent(reason));
        return;
      }
      Array.prototype.forEach.call(form.elements, function (el) { if (el.name) el.disabled = true; });
      button.hidden = true;
      result.querySelector('[data-offline-text]').textContent =
        'Saved on this phone, will sync. It goes into your diary when you are back online.';
      result.hidden = false;
      result.focus();
      watch(item);
    }

    form.addEventListener('submit', function (event) {
      if (form.dataset.checked === 'yes') { delete form.dataset.checked; return; }
      event.preventDefault();
      if (sending) return;
      sending = true;
      if (navigator.onLine === false) { saveHere(); return; }
      probe().then(function (state) {
        if (state) { sending = false; sendNormally(); } else { saveHere(); }
      });
    });

    result.querySelector('[data-log-another]').addEventListener('click', function () {
      if (window.Coach) window.Coach.clearDraft(form);
    });
  }

  document.querySelectorAll('form').forEach(function (form) {
    counters(form);
    const summary = errorSummary(form);
    if (form.hasAttribute('data-offline-log') && window.CoachOutbox && summary) offlineLog(form, summary);
  });

  // A link to a field inside "More details" (the symptoms, from a stopped routine) opens it.
  if (window.location.hash) {
    const target = document.getElementById(window.location.hash.slice(1));
    const details = target && target.closest('details');
    if (details) details.open = true;
  }
})();
