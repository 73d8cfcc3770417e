/* Relief Coach: behaviour shared by every page. ES2019, no modules, no dependencies.
 * - registers the service worker (/sw.js)
 * - fills <input data-detect-timezone> with the phone's IANA time zone
 * - window.Coach: csrfToken(), fetchJSON(url, {method, body, headers}), clearDraft(key)
 * - <button data-confirm="Question?">: asks before it submits
 * - <form data-keep-draft="key">: keeps what was typed in sessionStorage until it is sent, says so when it
 *   refills a form ("Start fresh" clears it); <a data-discard-draft> (Cancel) forgets it
 * - every POST form is sent once per tap (a double tap is ignored for 8 s or until the next page)
 * - [data-error-summary] (a form sent back with errors): takes the focus; its links focus their fields
 * - <form data-logout>: forgets drafts, this phone's offline copies and stored level, and unsubscribes its push, before signing out
 */
(function () {
  'use strict';

  const DRAFT_PREFIX = 'coach:draft:';
  const PENDING_KEY = 'coach:draft-pending';
  const PENDING_MAX_AGE_MS = 10 * 60 * 1000;

  function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : '';
  }

  // Resolves to {ok, status, data}; never rejects. A network failure (offline) is status 0,
  // so callers can queue the request instead of catching.
  async function fetchJSON(url, options) {
    const opts = options || {};
    const method = (opts.method || (opts.body === undefined ? 'GET' : 'POST')).toUpperCase();
    const headers = { Accept: 'application/json', 'X-CSRFToken': csrfToken() };
    const extra = opts.headers || {};
    Object.keys(extra).forEach(function (name) { headers[name] = extra[name]; });
    const init = { method: method, headers: headers, credentials: 'same-origin' };
    if (opts.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(opts.body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch (err) {
      return { ok: false, status: 0, data: null };
    }
    let data = null;
    const type = response.headers.get('Content-Type') || '';
    if (response.status !== 204 && type.indexOf('json') !== -1) {
      try { data = await response.json(); } catch (err) { data = null; }
    }
    return { ok: response.ok, status: response.status, data: data };
  }

  function storage() {
    // sessionStorage throws in some private modes and when cookies are blocked.
    try { return window.sessionStorage; } catch (err) { return null; }
  }

  /* ---------- Service worker ---------- */
  function registerServiceWorker() {
    if (!('serviceWorker' in navigator)) return;
    window.addEventListener('load', function () {
      navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(function () {
        // The site works without it; nothing to tell the person.
      });
    });
  }

  /* ---------- Time zone ---------- */
  function fillTimeZones() {
    let zone = '';
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (err) { return; }
    if (!zone) return;
    document.querySelectorAll('input[data-detect-timezone]').forEach(function (input) {
      if (!input.value) input.value = zone;
    });
  }

  /* ---------- Confirm before submitting ---------- */
  // A click also fires when Enter submits through a default button, so this covers keyboards.
  function onConfirmClick(event) {
    const button = event.target.closest('button[data-confirm], input[type="submit"][data-confirm]');
    if (!button || button.disabled) return;
    if (!window.confirm(button.getAttribute('data-confirm'))) event.preventDefault();
  }

  /* ---------- Drafts ---------- */
  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.name === 'csrf_token') return false;
      const type = (el.type || '').toLowerCase();
      return ['password', 'hidden', 'file', 'submit', 'button', 'reset', 'image'].indexOf(type) === -1 &&
        el.tagName !== 'FIELDSET' && el.tagName !== 'OUTPUT';
    });
  }

  // {name: [values]}: several values for checkbox groups, radios and multiple selects.
  function readDraft(form) {
    const values = {};
    draftFields(form).forEach(function (el) {
      const list = values[el.name] || (values[el.name] = []);
      if (el.type === 'checkbox' || el.type === 'radio') {
        if (el.checked) list.push(el.value);
      } else if (el.type === 'select-multiple') {
        Array.prototype.forEach.call(el.selectedOptions, function (opt) { list.push(opt.value); });
      } else {
        list.push(el.value);
      }
    });
    return values;
  }

  function applyDraft(form, values) {
    const seen = {};
    draftFields(form).forEach(function (el) {
      const list = values[el.name];
      if (!Array.isArray(list)) return;
      if (el.type === 'checkbox' || el.type === 'radio') {
        el.checked = list.indexOf(el.value) !== -1;
      } else if (el.type === 'select-multiple') {
        Array.prototype.forEach.call(el.options, function (opt) { opt.selected = list.indexOf(opt.value) !== -1; });
      } else {
        // Several text fields may share a name: restore them in document order.
        const index = seen[el.name] || 0;
        seen[el.name] = index + 1;
        if (index < list.length) el.value = list[index];
      }
    });
  }

  function clearDraft(keyOrForm) {
    const key = typeof keyOrForm === 'string' ? keyOrForm : keyOrForm.getAttribute('data-keep-draft');
    const store = storage();
    if (store && key) store.removeItem(DRAFT_PREFIX + key);
  }

  // After a form is sent, a successful POST redirects (or flashes success); a failed one
  // renders the form again with its errors, or never arrives at all. Only success clears.
  function settlePendingDraft(store) {
    let pending;
    try { pending = JSON.parse(store.getItem(PENDING_KEY) || 'null'); } catch (err) { pending = null; }
    store.removeItem(PENDING_KEY);
    if (!pending || !pending.key || Date.now() - pending.at > PENDING_MAX_AGE_MS) return null;
    const nav = performance.getEntriesByType ? performance.getEntriesByType('navigation')[0] : null;
    const redirected = !!nav && nav.type === 'navigate' && nav.redirectCount > 0;
    const succeeded = document.querySelector('.flash-success') !== null;
    if (redirected || succeeded) clearDraft(pending.key);
    return pending.key; // just sent: a form shown again (with its errors) is no surprise refill
  }

  function saveDraft(store, form) {
    try {
      store.setItem(DRAFT_PREFIX + form.getAttribute('data-keep-draft'), JSON.stringify(readDraft(form)));
    } catch (err) { /* storage full or blocked: the form still works */ }
  }

  // Says that the form holds what was typed earlier, with a way to start again from the page's own values.
  function noteRestored(form) {
    const note = document.createElement('p');
    note.className = 'card draft-note';
    note.setAttribute('role', 'status');
    note.textContent = 'We kept what you typed here earlier. ';
    const fresh = document.createElement('button');
    fresh.type = 'button';
    fresh.className = 'btn btn-secondary';
    fresh.textContent = 'Start fresh';
    fresh.addEventListener('click', function () {
      clearDraft(form);
      form.reset();
      form.dispatchEvent(new CustomEvent('coach:draft-restored', { bubbles: true }));
      note.remove();
    });
    note.appendChild(fresh);
    form.insertBefore(note, form.firstChild);
  }

  function cameBackInHistory() {
    const nav = performance.getEntriesByType ? performance.getEntriesByType('navigation')[0] : null;
    return !!nav && nav.type === 'back_forward';
  }

  function keepDrafts() {
    const store = storage();
    if (!store) return;
    const justSent = settlePendingDraft(store);
    const back = cameBackInHistory();
    document.querySelectorAll('form[data-keep-draft]').forEach(function (form) {
      let saved = null;
      try { saved = JSON.parse(store.getItem(DRAFT_PREFIX + form.getAttribute('data-keep-draft')) || 'null'); } catch (err) { saved = null; }
      if (saved && typeof saved === 'object') {
        applyDraft(form, saved);
        if (form.getAttribute('data-keep-draft') !== justSent) noteRestored(form);
        form.dispatchEvent(new CustomEvent('coach:draft-restored', { bubbles: true }));
      }
      const save = function () { saveDraft(store, form); };
      form.addEventListener('input', save);
      form.addEventListener('change', save);
    });
    // Back to a form that was sent: the browser refills it from history (after load, by pageshow) or brings
    // the whole page back from its cache, but it was saved already and its draft is gone. The page's own
    // values (for a log, a new id and nothing chosen) stop a second copy.
    window.addEventListener('pageshow', function (event) {
      if (!event.persisted && !back) return;
      setTimeout(function () {
        document.querySelectorAll('form[data-keep-draft]').forEach(function (form) {
          if (store.getItem(DRAFT_PREFIX + form.getAttribute('data-keep-draft')) !== null) return;
          form.reset();
          form.dispatchEvent(new CustomEvent('coach:draft-restored', { bubbles: true }));
        });
      }, 0);
    });
    // Cancel means the typing is not wanted: forget it.
    document.addEventListener('click', function (event) {
      if (!event.target.closest('a[data-discard-draft]')) return;
      document.querySelectorAll('form[data-keep-draft]').forEach(clearDraft);
    });
    // On window, so it runs after the page's own submit handlers: one that cancels the
    // submit (to send the data another way) leaves the draft alone.
    window.addEventListener('submit', function (event) {
      const form = event.target;
      if (event.defaultPrevented || !form.matches('form[data-keep-draft]')) return;
      saveDraft(store, form);
      try {
        store.setItem(PENDING_KEY, JSON.stringify({ key: form.getAttribute('data-keep-draft'), at: Date.now() }));
      } catch (err) { /* the draft then simply stays until the tab is closed */ }
    });
  }

  /* ---------- Sign out ---------- */
  // The server also sends Clear-Site-Data; this covers browsers that ignore it.
  // Signing out wipes this phone's storage, the offline outbox with it: send what is waiting first, and
  // ask before anything that still could not be sent is lost (UI.md: nothing a user entered is lost).
  async function unsentAfterFlush() {
    const outbox = window.CoachOutbox;
    if (!outbox) return 0;
    try {
      await outbox.flush();
      return (await outbox.all()).length;
    } catch (err) {
      return 0;
    }
  }

  // This phone stops getting the person's reminders once they sign out (push.js); never holds sign-out
  // up for more than a few seconds on a bad connection.
  function forgetPushDevice() {
    if (!window.CoachPush || !window.CoachPush.forgetDevice) return Promise.resolve('none');
    const limit = new Promise(function (resolve) { setTimeout(function () { resolve('timeout'); }, 3000); });
    return Promise.race([window.CoachPush.forgetDevice().catch(function () { return 'failed'; }), limit]);
  }

  function onLogoutSubmit(event) {
    if (event.defaultPrevented || !event.target.matches('form[data-logout]')) return;
    const form = event.target;
    if (form.dataset.outboxChecked !== 'yes' && (window.CoachOutbox || window.CoachPush)) {
      event.preventDefault();
      unsentAfterFlush().then(function (left) {
        const question = left + (left === 1 ? ' log has' : ' logs have') + " not reached your diary yet (no connection?). " +
          'Signing out deletes ' + (left === 1 ? 'it' : 'them') + ' from this phone. Sign out anyway?';
        if (left > 0 && !window.confirm(question)) return;
        forgetPushDevice().then(function () {
          form.dataset.outboxChecked = 'yes';
          if (typeof form.requestSubmit === 'function') form.requestSubmit(); else form.submit();
        });
      });
      return;
    }
    const store = storage();
    if (store) store.clear();
    // The level, its advice and the name this phone kept (level.js): Clear-Site-Data also empties them, where
    // the browser honours it.
    if (window.CoachLevel) window.CoachLevel.forget();
    if ('serviceWorker' in navigator && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: 'clear' });
    }
  }

  /* ---------- Error summary ---------- */
  // A form sent back with errors (_macros.html error_summary): the summary takes the focus, so the person
  // hears and sees at once that something needs another look; each link moves the focus to the first control
  // of its field, opening a <details> ("More details") that holds it.
  function focusField(id) {
    const target = document.getElementById(id);
    if (!target) return;
    const details = target.closest('details');
    if (details && !details.open) details.open = true;
    const control = target.matches('input, select, textarea, button') ? target
      : target.querySelector('input:not([type=hidden]):not([disabled]), select, textarea, button');
    target.scrollIntoView({ block: 'center' });
    if (control) control.focus({ preventScroll: true });
  }

  function errorSummaries() {
    document.addEventListener('click', function (event) {
      const link = event.target.closest('[data-error-summary] a[data-field]');
      if (!link) return;
      event.preventDefault();
      focusField(link.getAttribute('data-field'));
    });
    const shown = document.querySelector('[data-error-summary]:not([hidden])');
    if (shown) shown.focus();
  }

  /* ---------- One send per tap ---------- */
  // A double tap must not send a form twice (two reminders, two accounts). Capture phase: runs before the
  // page's own handlers. A form that is sent another way (its handler cancels the submit) is not marked.
  function guardDoubleSubmit() {
    document.addEventListener('submit', function (event) {
      if (event.target.dataset.sending === 'yes') {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    }, true);
    window.addEventListener('submit', function (event) {
      const form = event.target;
      if (event.defaultPrevented || (form.method || '').toLowerCase() !== 'post') return;
      form.dataset.sending = 'yes';
      // A response that does not leave the page (a download, a network error) must not lock the form.
      setTimeout(function () { delete form.dataset.sending; }, 8000);
    });
    window.addEventListener('pageshow', function (event) {
      if (event.persisted) document.querySelectorAll('form[data-sending]').forEach(function (form) { delete form.dataset.sending; });
    });
  }

  // [data-copy="#id"]: copy that field's value (an invite or calendar link) and say so in [data-copy-status];
  // without script the link is still there to select and copy by hand.
  function onCopyClick(event) {
    const button = event.target.closest('[data-copy]');
    if (!button) return;
    const field = document.querySelector(button.getAttribute('data-copy'));
    const status = document.querySelector('[data-copy-status]');
    if (!field) return;
    const done = function (ok) {
      if (status) status.textContent = ok ? 'Link copied.' : 'Select the link and copy it.';
    };
    field.select();
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(function () { done(true); }, function () { done(false); });
    } else {
      let ok = false;
      try { ok = document.execCommand('copy'); } catch (err) { ok = false; }
      done(ok);
    }
  }

  window.Coach = { csrfToken: csrfToken, fetchJSON: fetchJSON, clearDraft: clearDraft };

  registerServiceWorker();
  fillTimeZones();
  keepDrafts();
  errorSummaries();
  guardDoubleSubmit();
  document.addEventListener('click', onConfirmClick);
  document.addEventListener('click', onCopyClick);
  document.addEventListener('submit', onLogoutSubmit);
})();
