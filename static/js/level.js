/* Relief Coach: the person's level on this phone (contract 7). ES2019, no modules, no dependencies.
 * Loaded from base.html on every page, not deferred and before every other script, so at emergency a routine
 * page is left before it shows.
 *
 * window.CoachLevel = {
 *   remember(assessment)  {level, evaluated_at, flags, ...} from the API or the page's <meta name="coach-level">;
 *                         keeps the newest by evaluated_at in localStorage 'coach:level'. An urgent or emergency
 *                         level the person has not seen yet is shown at the next page open (emergency: the
 *                         emergency screen; urgent: the advice with "Got it"). Returns true when it was newer.
 *   markShown(assessment) the page has just shown this assessment's advice itself (the SOS page's urgent advice
 *                         before the routine): remembered, counted as seen (no "Got it" later) and not shown
 *                         again on the player; a newer assessment, or new flags, still show.
 *   current()             -> {level, evaluated_at, reason, advice, advice_html} or null
 *   forget()              drops what this phone keeps (sign-out)
 * }
 *
 * CONTENT.md section 0: at emergency home, the routine library, a routine's page and the player lead to the
 * emergency screen, online (the server redirects) and offline (here, from the last level the phone received,
 * kept until the server sends a newer one). At urgent the advice stands above the routines on those pages: the
 * server renders it for a signed-in person; on the copies kept for offline use (signed-out renderings) this
 * script shows the stored advice in base.html's [data-level-banner].
 * Offline, home shows the signed-in person's view: their name (from 'coach:me', written by signed-in pages) and
 * their stored level; relief.js shows their outbox status.
 */
(function () {
  'use strict';

  const LEVEL_KEY = 'coach:level';
  const SEEN_KEY = 'coach:level-seen';
  const SHOWN_KEY = 'coach:level-shown';
  const WORDS_KEY = 'coach:level-words';
  const ME_KEY = 'coach:me';
  const LEVELS = ['none', 'routine', 'urgent', 'emergency'];
  const EMERGENCY_PATH = '/emergency';
  const EMERGENCY_URL = EMERGENCY_PATH + '?reason=assessment';
  // The pages a routine starts from (the server gates the same four).
  const GATED = /^\/(routines(\/[^/]+(\/play)?)?\/?)?$/;
  const PLAYER = /^\/routines\/[^/]+\/play\/?$/;

  function storage() {
    try { return window.localStorage; } catch (err) { return null; }
  }

  function read(key) {
    const store = storage();
    if (!store) return null;
    try { return JSON.parse(store.getItem(key) || 'null'); } catch (err) { return null; }
  }

  function write(key, value) {
    const store = storage();
    if (!store) return;
    try { store.setItem(key, JSON.stringify(value)); } catch (err) { /* full or blocked: nothing kept */ }
  }

  function remove(key) {
    const store = storage();
    if (store) store.removeItem(key);
  }

  function timeOf(value) {
    return Date.parse(value || '');
  }

  // Which flags made the level: a new flag (or a new spasm behind one) is news even at the same level.
  function noticeKey(level, flags) {
    const parts = (flags || []).filter(function (f) { return f && f.level === level; }).map(function (f) {
      const ids = (f.episode_ids || []).map(Number).sort(function (a, b) { return a - b; });
      return f.rule + ':' + ids.join('.');
    });
    parts.sort();
    return level + '|' + parts.join(';');
  }

  function topReason(level, flags) {
    const flag = (flags || []).filter(function (f) { return f && f.level === level; })[0];
    return flag && typeof flag.reason === 'string' ? flag.reason : '';
  }

  function remember(assessment) {
    if (!assessment || LEVELS.indexOf(assessment.level) === -1) return false;
    const at = timeOf(assessment.evaluated_at);
    if (isNaN(at)) return false;
    const stored = read(LEVEL_KEY);
    if (stored && !(at > timeOf(stored.evaluated_at))) return false;
    const flags = Array.isArray(assessment.flags) ? assessment.flags : [];
    write(LEVEL_KEY, {
      level: assessment.level,
      evaluated_at: assessment.evaluated_at,
      key: noticeKey(assessment.level, flags),
      reason: topReason(assessment.level, flags),
    });
    return true;
  }

  // The page showed this assessment's advice itself. Only when it is what this phone keeps (not older).
  function markShown(assessment) {
    if (!assessment) return false;
    remember(assessment);
    const stored = read(LEVEL_KEY);
    if (!stored || stored.evaluated_at !== assessment.evaluated_at ||
        stored.key !== noticeKey(assessment.level, Array.isArray(assessment.flags) ? assessment.flags : [])) return false;
    markSeen(stored);
    write(SHOWN_KEY, stored.key + '@' + stored.evaluated_at);
    return true;
  }

  function shownBefore(stored) {
    return read(SHOWN_KEY) === stored.key + '@' + stored.evaluated_at;
  }

  function pageWords() {
    const el = document.querySelector('[data-level-banner]');
    if (!el) return {};
    try { return JSON.parse(el.getAttribute('data-words') || '{}'); } catch (err) { return {}; }
  }

  // The advice in the person's country wording (kept from their last signed-in page), else this page's.
  function words() {
    const stored = read(WORDS_KEY) || {};
    const page = pageWords();
    return {
      urgent: stored.urgent || page.urgent || '',
      emergency: stored.emergency || page.emergency || '',
      urgent_heading: stored.urgent_heading || page.urgent_heading || '',
    };
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function current() {
    const stored = read(LEVEL_KEY);
    if (!stored || LEVELS.indexOf(stored.level) === -1) return null;
    const advice = words()[stored.level] || '';
    return {
      level: stored.level,
      evaluated_at: stored.evaluated_at,
      reason: stored.reason || '',
      advice: advice,
      advice_html: advice ? escapeHtml(advice) : undefined,
    };
  }

  function seen(stored) {
    return read(SEEN_KEY) === stored.key;
  }

  function markSeen(stored) {
    write(SEEN_KEY, stored.key);
  }

  function forget() {
    [LEVEL_KEY, SEEN_KEY, SHOWN_KEY, WORDS_KEY, ME_KEY].forEach(remove);
  }

  /* ---------- What the server said on this page ---------- */
  function readMeta() {
    const meta = document.querySelector('meta[name="coach-level"]');
    if (!meta) return false;
    let flags = [];
    try { flags = JSON.parse(meta.getAttribute('data-flags') || '[]'); } catch (err) { flags = []; }
    remember({ level: meta.getAttribute('content'), evaluated_at: meta.getAttribute('data-evaluated-at'), flags: flags });
    try {
      const w = JSON.parse(meta.getAttribute('data-words') || 'null');
      if (w) write(WORDS_KEY, w);
    } catch (err) { /* keep the last words */ }
    write(ME_KEY, { user_id: Number(meta.getAttribute('data-user-id')), name: meta.getAttribute('data-name') || '' });
    return true;
  }

  const signedInPage = readMeta();
  const path = window.location.pathname;
  const gated = GATED.test(path);
  const onEmergency = path === EMERGENCY_PATH;
  const stored = read(LEVEL_KEY);

  // At emergency: the pages a routine starts from, and any page while the person has not seen it yet, give
  // way to the emergency screen (replace: Back must not return to the routine).
  if (stored && stored.level === 'emergency' && !onEmergency && (gated || !seen(stored))) {
    markSeen(stored);
    window.location.replace(EMERGENCY_URL);
  } else if (stored && stored.level === 'emergency' && onEmergency) {
    markSeen(stored);
  }

  // Logs the service worker delivered (Background Sync) come back here: the worker cannot keep the level.
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener('message', function (event) {
      const data = event.data || {};
      if (data.type !== 'outbox-synced' || !Array.isArray(data.assessments)) return;
      // Kept for the next page open (which then leads to the emergency screen); this page may be on its way
      // to the emergency screen with its own reason already (the player's Stop).
      data.assessments.forEach(function (assessment) { remember(assessment); });
    });
  }

  window.CoachLevel = { remember: remember, markShown: markShown, current: current, forget: forget };

  /* ---------- Urgent: the advice above the routines, or a late answer at the next page ---------- */
  function banner(stored, withButton) {
    const box = document.querySelector('[data-level-banner]');
    if (!box) return;
    const w = words();
    box.textContent = '';
    const card = document.createElement('section');
    card.className = 'card stack-sm assess assess-urgent level-advice';
    card.setAttribute('aria-labelledby', 'level-banner-title');
    const title = document.createElement('h2');
    title.id = 'level-banner-title';
    title.textContent = w.urgent_heading;
    const advice = document.createElement('p');
    advice.className = 'assess-advice';
    advice.textContent = w.urgent;
    card.appendChild(title);
    card.appendChild(advice);
    if (stored.reason) {
      const reason = document.createElement('p');
      reason.textContent = stored.reason;
      card.appendChild(reason);
    }
    if (withButton) {
      const ok = document.createElement('button');
      ok.type = 'button';
      ok.className = 'btn btn-secondary btn-block';
      ok.textContent = 'Got it';
      ok.setAttribute('data-level-ok', '');
      ok.addEventListener('click', function () {
        markSeen(stored);
        box.hidden = true;
        box.textContent = '';
      });
      card.appendChild(ok);
    }
    box.appendChild(card);
    box.hidden = false;
  }

  function showUrgent() {
    const now = read(LEVEL_KEY);
    if (!now || now.level !== 'urgent') return;
    // The server already put the advice on this page (a signed-in rendering, or the diary's card).
    if (document.querySelector('[data-level-advice], section.assess-urgent')) {
      markSeen(now);
      return;
    }
    if (gated) {
      // Straight after the SOS page gave this advice before the routine, the player does not repeat it.
      if (PLAYER.test(path) && shownBefore(now)) return;
      banner(now, false);
      markSeen(now);
    } else if (!seen(now) && !onEmergency) {
      banner(now, true);
    }
  }

  /* ---------- Offline home: the signed-in person's view ---------- */
  function showMe(me) {
    const greeting = document.querySelector('[data-home-greeting]');
    if (greeting) greeting.textContent = 'Hi, ' + me.name;
    document.querySelectorAll('[data-signed-out-only]').forEach(function (el) { el.hidden = true; });
    document.querySelectorAll('[data-topbar-user]').forEach(function (el) {
      el.textContent = me.name;
      el.hidden = false;
    });
  }

  function showSignedOut() {
    const greeting = document.querySelector('[data-home-greeting]');
    if (greeting) greeting.textContent = greeting.getAttribute('data-signed-out-text') || greeting.textContent;
    document.querySelectorAll('[data-signed-out-only]').forEach(function (el) { el.hidden = false; });
    document.querySelectorAll('[data-topbar-user]').forEach(function (el) { el.hidden = true; });
  }

  function offlineHome() {
    if (signedInPage || !document.querySelector('[data-home-greeting]')) return;
    const me = read(ME_KEY);
    const outbox = window.CoachOutbox;
    const identity = outbox && outbox.identity ? outbox.identity() : {};
    if (!me || !me.name || (identity.user_id && identity.user_id !== me.user_id)) return;
    const greeting = document.querySelector('[data-home-greeting]');
    greeting.setAttribute('data-signed-out-text', greeting.textContent);
    showMe(me);
    // A signed-out copy can also mean the session ended: when the server can be asked, it decides.
    fetch('/sync-state', { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        if (!state.signed_in || state.user_id !== me.user_id) {
          remove(ME_KEY);
          showSignedOut();
        }
      })
      .catch(function () { /* offline: the copy stays the person's view */ });
  }

  function onReady() {
    showUrgent();
    offlineHome();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', onReady);
  else onReady();
})();
