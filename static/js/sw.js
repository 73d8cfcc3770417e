/* Relief Coach service worker. Served by the app at /sw.js (Cache-Control: no-cache), which
 * replaces the two tokens below: the cache version and the JSON list of URLs to precache
 * (the fingerprinted static files plus '/offline', '/sos', '/', '/emergency', '/routines' and every
 * stock routine's page and player page).
 *
 * What it keeps, and why:
 * - /static/ files: cache-first. Their URLs change when their content does.
 * - Pages: network-first. Only pages from an allow-list of pages that are the same for
 *   everyone are kept, so SOS and the relief routines open offline; every other page falls
 *   back to /offline. A response marked Cache-Control: no-store or private (the app marks
 *   every page rendered for a signed-in person so) is never kept: for those the signed-out
 *   rendering of the same page is fetched without cookies and kept instead.
 * - /api/, other origins and anything but GET: not touched at all.
 *   Those copies carry no level: static/js/level.js (precached) decides on the phone from the last level it
 *   received, so at emergency the offline home and routine pages lead to the cached emergency screen.
 * - Personal pages kept for offline play: "Assigned to me" (/assigned) and each assigned routine's player
 *   (/assigned/<id>/play). The server marks them Cache-Control: private (never no-store); they are kept when
 *   visited, and when /assigned lists them ({type: 'keep-personal', urls} from static/js/assigned.js, which
 *   also drops the copies of players no longer listed: an ended assignment stops playing offline too).
 * Signing out posts {type: 'clear'} (and the server sends Clear-Site-Data), which empties it, personal pages
 * included.
 * - Background Sync ('sync', tag coach-outbox): replays the outbox of static/js/outbox.js.
 * - Push: shows every push as a notification; 'pushsubscriptionchange' subscribes again and tells the server.
 */
'use strict';

const VERSION = "__CACHE_VERSION__";
const PRECACHE = __PRECACHE_URLS__;

const CACHE_PREFIX = 'coach-';
const CACHE = `${CACHE_PREFIX}static-${VERSION}`;
const OFFLINE_URL = '/offline';
const NAVIGATION_TIMEOUT_MS = 4000;
const SIGNED_OUT_COPY_MAX_AGE_MS = 60 * 60 * 1000;
const DEFAULT_TITLE = 'Relief Coach';

// The outbox (quick logs and routine sessions saved offline) is shared with the pages: the same file,
// at its fingerprinted URL from the precache list, so a new version of it also makes a new worker.
const OUTBOX_SCRIPT = PRECACHE.find((url) => url.startsWith('/static/js/outbox.js'));
if (OUTBOX_SCRIPT) importScripts(OUTBOX_SCRIPT);

/* ---------- Which requests are ours ---------- */

// Pages that are the same for everyone, so a copy may be shown offline.
function isShareablePage(pathname) {
  return pathname === '/' || pathname === '/sos' || pathname === OFFLINE_URL ||
    pathname === '/emergency' || pathname === '/tips' ||
    pathname === '/routines' || pathname.startsWith('/routines/');
}

// The signed-in person's own pages that may be kept on their phone (see the notes at the top).
const PERSONAL_PAGE = /^\/assigned(\/\d+\/play)?$/;
function isPersonalPage(pathname) {
  return PERSONAL_PAGE.test(pathname);
}

// A personal page may be kept when the server marked it private (a browser's own cache) and not no-store.
function isKeepablePersonal(response) {
  if (!response || !response.ok || response.type !== 'basic' || response.redirected) return false;
  const cacheControl = (response.headers.get('Cache-Control') || '').toLowerCase();
  return /private/.test(cacheControl) && !/no-store/.test(cacheControl);
}

function isStatic(pathname) {
  return pathname.startsWith('/static/');
}

// A page is stored under its path alone, so '/?source=pwa' (the start URL) finds '/'.
function pageKey(url) {
  return new URL(url.pathname, url.origin).href;
}

// Only a page's plain address (or the start URL's ?source=) is stored: a filtered view such
// as /routines?kind=x must not replace the plain one.
function hasOnlySourceQuery(url) {
  return [...url.searchParams.keys()].every((name) => name === 'source');
}

function isStorable(response) {
  if (!response || !response.ok || response.type !== 'basic' || response.redirected) return false;
  const cacheControl = (response.headers.get('Cache-Control') || '').toLowerCase();
  return !/no-store|private/.test(cacheControl);
}

/* ---------- Install: precache, then take over at once ---------- */

async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(PRECACHE.map(async (path) => {
    const url = new URL(path, self.location.origin);
    // Pages are fetched without cookies, so what is kept is the signed-out version that
    // anyone may see; static files skip the HTTP cache only when they are not fingerprinted.
    const request = new Request(url.href, {
      credentials: 'omit',
      cache: isStatic(url.pathname) ? 'default' : 'reload',
    });
    const response = await fetch(request);
    if (!response.ok) throw new Error(`precache ${path}: HTTP ${response.status}`);
    // A page that redirects when signed out (e.g. '/' to the sign-in page) is not kept: a
    // redirected response cannot answer a navigation, and it would be the wrong page anyway.
    if (response.redirected) return;
    await cache.put(isStatic(url.pathname) ? url.href : pageKey(url), response);
  }));
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

/* ---------- Activate: drop old versions ---------- */

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names
      .filter((name) => name.startsWith(CACHE_PREFIX) && name !== CACHE)
      .map((name) => caches.delete(name)));
    await self.clients.claim();
  })());
});

/* ---------- Fetch ---------- */

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return;

  if (request.mode === 'navigate') {
    event.respondWith(handleNavigation(event, url));
  } else if (isStatic(url.pathname) && !request.headers.has('Range')) {
    // Range requests (audio, video) go to the network: a cached 200 cannot answer them.
    event.respondWith(handleStatic(event, request));
  }
  // Anything else (the manifest, JSON fetched by pages) goes to the network untouched.
});

async function handleStatic(event, request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  if (cached) return cached;
  const response = await fetch(request);
  if (isStorable(response)) event.waitUntil(cache.put(request, response.clone()));
  return response;
}

// Network first. A page from the allow-list that has a copy here gets 4 seconds before the
// copy is shown (a spasm is no time to watch a spinner); the fetch still finishes in the
// background and refreshes the copy. A page without a copy waits for the network, however
// slow, because the only alternative is the offline page; if the network fails, that is shown.
async function handleNavigation(event, url) {
  if (isPersonalPage(url.pathname)) return handlePersonal(event, url);
  const shareable = isShareablePage(url.pathname);
  const network = fetch(event.request);
  if (shareable && hasOnlySourceQuery(url)) {
    // Registered first, so the copy is taken before the page starts reading the body; and
    // waitUntil now, while the event is live, because it may outlast the response.
    event.waitUntil(network.then((response) => {
      const copy = isStorable(response) ? response.clone() : null;
      return response.ok ? keepPage(url, copy) : undefined;
    }).catch(() => {}));
  }

  const cached = shareable ? await caches.match(pageKey(url), { ignoreVary: true }) : undefined;
  try {
    if (!cached) return await network;
    return await Promise.race([network, timeout(NAVIGATION_TIMEOUT_MS)]);
  } catch (err) {
    network.catch(() => {}); // after a timeout it may still fail; nobody is waiting for it
    if (cached) return cached;
    return (await caches.match(OFFLINE_URL, { ignoreVary: true })) || offlineFallback();
  }
}

// A personal page: the network (however slow) and a new copy kept; offline, the copy this phone has.
async function handlePersonal(event, url) {
  try {
    const response = await fetch(event.request);
    if (isKeepablePersonal(response) && hasOnlySourceQuery(url)) {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(pageKey(url), copy)));
    } else if (response.status === 404 || response.status === 403) {
      // Ended, or not this person's: the copy must not play offline either.
      event.waitUntil(caches.open(CACHE).then((cache) => cache.delete(pageKey(url))));
    }
    return response;
  } catch (err) {
    const cached = await caches.match(pageKey(url), { ignoreVary: true });
    return cached || (await caches.match(OFFLINE_URL, { ignoreVary: true })) || offlineFallback();
  }
}

// Keeps the pages "Assigned to me" lists (and the list itself), and drops players it no longer lists.
async function keepPersonal(urls) {
  const paths = (Array.isArray(urls) ? urls : [])
    .map((value) => { try { return new URL(value, self.location.origin); } catch (err) { return null; } })
    .filter((url) => url && url.origin === self.location.origin && isPersonalPage(url.pathname));
  const cache = await caches.open(CACHE);
  const wanted = new Set(paths.map((url) => pageKey(url)));
  const kept = await cache.keys();
  await Promise.all(kept
    .filter((request) => isPersonalPage(new URL(request.url).pathname) && !wanted.has(request.url))
    .map((request) => cache.delete(request)));
  await Promise.all(paths.map(async (url) => {
    try {
      const response = await fetch(new Request(url.href, { credentials: 'same-origin', cache: 'no-cache' }));
      if (isKeepablePersonal(response)) await cache.put(pageKey(url), response);
    } catch (err) { /* offline meanwhile: the next visit tries again */ }
  }));
}

// Keeps the page as served, or, when it was rendered for a signed-in person (not storable),
// a signed-out rendering of it, refreshed at most hourly. So the cache never holds a name.
async function keepPage(url, copy) {
  const cache = await caches.open(CACHE);
  const key = pageKey(url);
  if (copy) return cache.put(key, copy);
  const current = await cache.match(key, { ignoreVary: true });
  const storedAt = current ? Date.parse(current.headers.get('Date') || '') : NaN;
  if (Date.now() - storedAt < SIGNED_OUT_COPY_MAX_AGE_MS) return undefined;
  const signedOut = await fetch(new Request(key, { credentials: 'omit', cache: 'no-cache' }));
  return isStorable(signedOut) ? cache.put(key, signedOut) : undefined;
}

function timeout(ms) {
  return new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error('timeout')), ms);
  });
}

// Only when even the offline page is missing (its precache failed).
function offlineFallback() {
  return new Response(
    '<!doctype html><html lang="en"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Offline · Relief Coach</title><h1>You\'re offline</h1><p>Please try again when you have a connection.</p></html>',
    { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
  );
}

/* ---------- Messages from the page ---------- */

async function clearCaches() {
  const names = await caches.keys();
  await Promise.all(names.filter((name) => name.startsWith(CACHE_PREFIX)).map((name) => caches.delete(name)));
}

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'keep-personal') {
    event.waitUntil(keepPersonal(data.urls));
  }
  if (data.type === 'clear') {
    event.waitUntil(clearCaches().then(() => {
      if (event.source) event.source.postMessage({ type: 'cleared' });
    }));
  }
});

/* ---------- Background Sync: replay the outbox ---------- */

// Chromium fires 'sync' once the network is back, even when no page is open. Throwing asks it to try
// again later; pages also replay on load and on 'online' (Safari and Firefox have no Background Sync).
self.addEventListener('sync', (event) => {
  if (event.tag !== 'coach-outbox' || !self.CoachOutbox) return;
  event.waitUntil((async () => {
    const outcome = await self.CoachOutbox.flush();
    // The worker has no localStorage: open pages keep the assessments the replies carried (level.js), so a
    // late urgent or emergency answer is not lost when the worker, not a page, delivered the log.
    const assessments = Object.values(outcome.results || {})
      .map((result) => result && result.ok && result.data && result.data.assessment)
      .filter(Boolean);
    const windows = await self.clients.matchAll({ type: 'window' });
    windows.forEach((client) => client.postMessage({ type: 'outbox-synced', assessments: assessments }));
    if (outcome.retry) throw new Error('outbox: some items are still waiting');
  })());
});

/* ---------- Push notifications ---------- */

// Only our own pages may be opened from a notification.
function sameOriginUrl(value) {
  try {
    const url = new URL(value || '/', self.location.origin);
    return url.origin === self.location.origin ? url.href : new URL('/', self.location.origin).href;
  } catch (err) {
    return new URL('/', self.location.origin).href;
  }
}

self.addEventListener('push', (event) => {
  // Every push must show a notification (iOS revokes the subscription otherwise), even one
  // whose payload is missing or unreadable.
  let payload = {};
  if (event.data) {
    try {
      payload = event.data.json() || {};
    } catch (err) {
      payload = { body: event.data.text() };
    }
  }
  const options = {
    body: typeof payload.body === 'string' ? payload.body : '',
    icon: '/static/icons/icon-192.png',
    badge: '/static/icons/favicon-32.png',
    data: { url: sameOriginUrl(payload.url) },
  };
  // A repeated delivery carries the same tag and quietly replaces the first.
  if (payload.tag) options.tag = String(payload.tag);
  const title = typeof payload.title === 'string' && payload.title ? payload.title : DEFAULT_TITLE;
  event.waitUntil(self.registration.showNotification(title, options));
});

// The browser rotated or dropped this device's subscription (not every browser fires this; iOS revokes
// without telling). Take the new one it offers, else the one a page may have made meanwhile, else subscribe
// again with the same key, and send it to the server. When that cannot be done (offline, signed out, no
// notification permission, push turned off on the server), the next app load catches it: static/js/push.js
// re-syncs the subscription on every signed-in load.
const PUSH_PUBLIC_KEY_URL = '/api/v1/push/public-key';
const PUSH_SUBSCRIPTIONS_URL = '/api/v1/push/subscriptions';

function base64urlBytes(text) {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

async function serverPublicKey() {
  const response = await fetch(PUSH_PUBLIC_KEY_URL, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`public key: HTTP ${response.status}`);
  const key = (await response.json()).public_key;
  return key ? base64urlBytes(key) : null;
}

// Resolves to true once the server has the subscription. The session cookie goes with a same-origin fetch;
// the CSRF token comes fresh from /sync-state, as for an outbox replay (pages' tokens are not ours to read).
async function sendSubscription(subscription) {
  const state = self.CoachOutbox ? await self.CoachOutbox.fetchState() : null;
  if (!state || !state.user_id) return false;
  const { endpoint, keys } = subscription.toJSON();
  const response = await fetch(PUSH_SUBSCRIPTIONS_URL, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': state.csrf_token },
    body: JSON.stringify({ endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } }),
  });
  return response.ok;
}

// `change` is the event (or anything with its two fields): {oldSubscription, newSubscription}.
async function renewSubscription(change) {
  const { pushManager } = self.registration;
  let subscription = change.newSubscription || await pushManager.getSubscription();
  if (!subscription) {
    const old = change.oldSubscription;
    const key = (old && old.options && old.options.applicationServerKey) || await serverPublicKey();
    if (!key) return false;
    subscription = await pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }
  return sendSubscription(subscription);
}

self.addEventListener('pushsubscriptionchange', (event) => {
  event.waitUntil(renewSubscription(event).catch(() => false));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const target = sameOriginUrl(event.notification.data && event.notification.data.url);
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const open = windows.find((client) => client.url === target);
    if (open) return open.focus();
    return self.clients.openWindow(target);
  })());
});
