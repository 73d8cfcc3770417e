/* Relief Coach outbox: writes made on this phone (quick logs, routine sessions) wait here in IndexedDB
 * until the server has them. Loaded by pages (window.CoachOutbox) and by the service worker through
 * importScripts (self.CoachOutbox), so a Background Sync replays with the same code as a page does.
 *
 * An item: {id: client-made UUID (also the Idempotency-Key), kind: 'episode'|'session'|'profile', url, body,
 *           method: 'POST' (default) | 'PUT' | 'PATCH', owner: user id it belongs to or null (made signed out),
 *           created_at, failed: null|message}
 * Upserts (PUT /api/v1/episodes/by-client/<spasm's client_id>): each queued item has its own id, the URL
 * carries the spasm's id, and each body holds only what that step knew, so replaying them in order (oldest
 * first) never undoes a newer answer (the server keeps symptoms and locations as unions).
 *
 * Replay (flush): ask /sync-state who is signed in and for a fresh CSRF token (a page served from the
 * offline cache carries a stale one), then send each item of that user (its method, POST by default) with
 * Idempotency-Key: <id>. A 2xx reply carrying an assessment goes to window.CoachLevel.remember (level.js),
 * so a late answer, or one for a log made offline, is shown at the next page open.
 * The server answers a replay with the original record, so sending twice (page and worker at once, or a
 * reply lost on a bad connection) never makes a duplicate. 2xx: removed. Offline, 401, 429 or 5xx: kept
 * for the next try. Any other 4xx: kept, marked failed with the server's message (nothing is thrown away
 * without the person saying so). Items made signed out (owner null) are never sent on their own: the home
 * page offers them once someone signs in ("Add to my diary" / "Discard").
 */
(function (root) {
  'use strict';

  const DB_NAME = 'coach-outbox';
  const STORE = 'items';
  const STATE_URL = '/sync-state';
  const SYNC_TAG = 'coach-outbox';
  const IDENTITY_KEY = 'coach:identity';
  const CHANNEL = 'coach-outbox';

  /* ---------- IndexedDB, promised ---------- */
  let dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        const request = root.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore(STORE, { keyPath: 'id' });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { dbPromise = null; reject(request.error); };
      });
    }
    return dbPromise;
  }

  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        const transaction = db.transaction(STORE, mode);
        const result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () { resolve(result && 'result' in result ? result.result : undefined); };
        transaction.onerror = function () { reject(transaction.error); };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  // IndexedDB writes started while a page is being left may never finish; localStorage writes are
  // synchronous. stash() is for that moment (pagehide); the next page moves stashed items into the outbox.
  const STASH_KEY = 'coach:outbox-stash';
  function stash(kind, url, body, options) {
    try {
      const list = JSON.parse(root.localStorage.getItem(STASH_KEY) || '[]');
      list.push(makeItem(kind, url, body, options));
      root.localStorage.setItem(STASH_KEY, JSON.stringify(list));
      return true;
    } catch (err) {
      return false;
    }
  }
  async function drainStash() {
    let list;
    try { list = JSON.parse(root.localStorage.getItem(STASH_KEY) || '[]'); } catch (err) { return; }
    if (!list.length) return;
    for (const item of list) await tx('readwrite', function (store) { store.put(item); });
    root.localStorage.removeItem(STASH_KEY);
    changed();
  }

  async function all() {
    if (root.localStorage) await drainStash();
    return allStored();
  }

  function allStored() {
    return tx('readonly', function (store) { return store.getAll(); }).then(function (items) {
      // Oldest first: an upsert's steps must reach the server in the order they were made.
      return (items || []).sort(function (a, b) {
        if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
        return (a.seq || 0) - (b.seq || 0);
      });
    });
  }
  function put(item) { return tx('readwrite', function (store) { store.put(item); }).then(changed); }
  function remove(id) { return tx('readwrite', function (store) { store.delete(id); }).then(changed); }

  /* ---------- Telling pages that something changed ---------- */
  let channel = null;
  try { channel = new root.BroadcastChannel(CHANNEL); } catch (err) { channel = null; }
  const listeners = [];
  function changed() {
    listeners.forEach(function (fn) { fn(); });
    if (channel) channel.postMessage('changed');
  }
  function onChange(fn) {
    listeners.push(fn);
    if (channel) channel.addEventListener('message', function () { fn(); });
  }

  /* ---------- Who made it ---------- */
  function uuid() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    const bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join('');
    return hex.slice(0, 8) + '-' + hex.slice(8, 12) + '-' + hex.slice(12, 16) + '-' + hex.slice(16, 20) + '-' + hex.slice(20);
  }

  // The last signed-in state this phone saw online ({user_id, country}); pages only (no localStorage in a
  // worker). A page served from the offline cache is a signed-out copy, so it must not reset this.
  function identity() {
    try { return JSON.parse(root.localStorage.getItem(IDENTITY_KEY) || 'null') || { user_id: null, country: null }; } catch (err) { return { user_id: null, country: null }; }
  }
  function rememberIdentity(state) {
    try {
      root.localStorage.setItem(IDENTITY_KEY, JSON.stringify({ user_id: state.user_id || null, country: state.country || null }));
    } catch (err) { /* private mode: items are then offered rather than sent on their own */ }
  }

  // kind, url, body, {method} -> the stored item. Ask for a Background Sync so the worker sends it even if
  // the page is closed before the network returns.
  const METHODS = ['POST', 'PUT', 'PATCH'];
  let sequence = 0; // orders items made in the same millisecond
  function makeItem(kind, url, body, options) {
    const method = String((options && options.method) || 'POST').toUpperCase();
    if (METHODS.indexOf(method) === -1) throw new TypeError('outbox: unsupported method ' + method);
    return {
      id: uuid(), kind: kind, url: url, body: body, method: method, owner: identity().user_id,
      created_at: new Date().toISOString(), seq: ++sequence, failed: null,
    };
  }

  function add(kind, url, body, options) {
    const item = makeItem(kind, url, body, options);
    return put(item).then(function () { requestSync(); return item; });
  }

  function requestSync() {
    const nav = root.navigator;
    if (!nav || !nav.serviceWorker || !root.document) return;
    nav.serviceWorker.ready.then(function (registration) {
      if (registration.sync) return registration.sync.register(SYNC_TAG);
      return undefined;
    }).catch(function () { /* no Background Sync: load and online events replay instead */ });
  }

  /* ---------- Replay ---------- */
  async function fetchState() {
    try {
      const response = await root.fetch(STATE_URL, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
      if (!response.ok) return null;
      const state = await response.json();
      if (root.localStorage) rememberIdentity(state);
      return state;
    } catch (err) {
      return null;
    }
  }

  async function send(item, token) {
    let response;
    try {
      response = await root.fetch(item.url, {
        method: item.method || 'POST', // items queued before methods existed are POSTs
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'Idempotency-Key': item.id, 'X-CSRFToken': token },
        body: JSON.stringify(item.body),
      });
    } catch (err) {
      return { ok: false, status: 0, data: null };
    }
    let data = null;
    try { data = await response.json(); } catch (err) { data = null; }
    return { ok: response.ok, status: response.status, data: data };
  }

  function errorText(data, status) {
    const error = data && data.error;
    if (!error) return 'The server refused it (' + status + ').';
    const fields = error.fields ? Object.keys(error.fields).map(function (k) { return k + ': ' + error.fields[k]; }) : [];
    return fields.length ? fields.join('; ') : error.message;
  }

  // The phone's stored level (contract 7): pages only; the worker has no CoachLevel, and the next signed-in
  // page carries the level from the server anyway.
  function remember(data) {
    const assessment = data && data.assessment;
    if (!assessment || !root.CoachLevel || typeof root.CoachLevel.remember !== 'function') return;
    try { root.CoachLevel.remember(assessment); } catch (err) { /* the level is a notice; the log is saved */ }
  }

  let running = null;
  // Sends what belongs to whoever is signed in. Resolves to {state, results: {id: {ok, status, data}},
  // retry: true when something is left that a later try may send}. One flush at a time per context, and one
  // at a time across the pages and the worker (Web Locks, where the browser has them): otherwise the worker
  // could send an older item again after a page sent a newer one (a safety-check tick replayed after its undo).
  function flush(options) {
    if (running) return running.then(function () { return flush(options); });
    const ids = (options && options.ids) || null;
    running = oneAtATime(function () { return doFlush(ids); }).finally(function () { running = null; });
    return running;
  }
  function oneAtATime(work) {
    const locks = root.navigator && root.navigator.locks;
    if (!locks || typeof locks.request !== 'function') return work();
    return locks.request('coach-outbox-flush', work);
  }

  async function doFlush(onlyIds) {
    const results = {};
    let items = (await all()).filter(function (item) { return !item.failed; });
    if (onlyIds) items = items.filter(function (item) { return onlyIds.indexOf(item.id) !== -1; });
    if (!items.length) return { state: null, results: results, retry: false };
    const state = await fetchState();
    if (!state) return { state: null, results: results, retry: true };
    if (!state.user_id) return { state: state, results: results, retry: false };
    for (const item of items) {
      if (item.owner !== state.user_id) continue;
      const result = await send(item, state.csrf_token);
      results[item.id] = result;
      if (result.ok) {
        await remove(item.id);
        remember(result.data);
      } else if (result.status === 0 || result.status === 401 || result.status === 429 || result.status >= 500 ||
                 (result.data && result.data.error && result.data.error.code === 'csrf_failed')) {
        return { state: state, results: results, retry: true };
      } else {
        item.failed = errorText(result.data, result.status);
        await put(item);
      }
    }
    return { state: state, results: results, retry: false };
  }

  // Items made signed out (or by someone else) become the signed-in person's, then are sent.
  async function adopt(userId) {
    const items = await all();
    for (const item of items) {
      if (item.owner !== userId) { item.owner = userId; await put(item); }
    }
    return flush();
  }

  async function discard(ids) {
    for (const id of ids) await remove(id);
  }

  root.CoachOutbox = {
    SYNC_TAG: SYNC_TAG, add: add, stash: stash, all: all, flush: flush, adopt: adopt, discard: discard,
    fetchState: fetchState, identity: identity, rememberIdentity: rememberIdentity, onChange: onChange, uuid: uuid,
  };
})(self);
