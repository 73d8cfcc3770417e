/* Web push on this device. ES2019, no modules; loaded on every page for signed-in people
 * (base.html includes it only then, with data-user-id on its <script>).
 * - Every app load, after the page has loaded and the browser is idle: if notifications are already
 *   allowed and this browser has a push subscription, it is sent to the server again when its endpoint
 *   or the person differs from the last sync from this device, or that sync is over 24 h old (browsers
 *   rotate subscriptions, iOS revokes them, and sw.js's pushsubscriptionchange may not have reached the
 *   server; the server upserts by endpoint). Never asks for permission. Without localStorage (blocked),
 *   it sends on every load.
 * - [data-push-card] (the Reminders tab): says whether push works here (not supported, the iOS
 *   Home Screen rule, blocked, off, on), asks for permission only after the tap on "Turn on",
 *   subscribes, sends a test, turns it off.
 * - Signing out (app.js): CoachPush.forgetDevice() unsubscribes this phone, here and on the server.
 */
(function () {
  'use strict';

  const SCRIPT = document.currentScript;
  const SYNC_KEY = 'coach:push-synced'; // localStorage: {endpoint, user, at (ms)} of the last sync
  const RESYNC_AFTER_MS = 24 * 60 * 60 * 1000;
  const IDLE_TIMEOUT_MS = 5000;
  const READY_TIMEOUT_MS = 10000;
  const MESSAGES = {
    checking: 'Checking…',
    unsupported: 'This browser cannot show notifications. Your reminders still arrive in the inbox.',
    ios: 'Not available in the browser on iPhone and iPad yet. Your reminders still arrive in the inbox.',
    denied: 'Notifications are blocked for this site. Your reminders still arrive in the inbox.',
    unconfigured: 'Notifications are not set up on this server yet. Your reminders still arrive in the inbox.',
    off: 'Off on this phone.',
    working: 'One moment…',
    subscribed: 'On: this phone gets your reminders.',
    error: 'That did not work. Check your connection and try again.',
  };

  function supported() {
    return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
  }

  function isIos() {
    return /iPad|iPhone|iPod/.test(navigator.userAgent) ||
      (navigator.platform === 'MacIntel' && navigator.maxTouchPoints > 1);
  }

  function isStandalone() {
    return window.navigator.standalone === true ||
      (!!window.matchMedia && window.matchMedia('(display-mode: standalone)').matches);
  }

  function userId() {
    return (SCRIPT && SCRIPT.getAttribute('data-user-id')) || '';
  }

  /* ---------- The last sync from this device (localStorage; blocked storage means none) ---------- */
  function lastSync() {
    try { return JSON.parse(window.localStorage.getItem(SYNC_KEY) || 'null'); } catch (err) { return null; }
  }

  function rememberSync(endpoint) {
    try {
      window.localStorage.setItem(SYNC_KEY, JSON.stringify({ endpoint: endpoint, user: userId(), at: Date.now() }));
    } catch (err) { /* blocked or full: the next load sends it again, which the server takes as an update */ }
  }

  function forgetSync() {
    try { window.localStorage.removeItem(SYNC_KEY); } catch (err) { /* nothing was kept */ }
  }

  function syncDue(endpoint) {
    const last = lastSync();
    if (!last || last.endpoint !== endpoint || last.user !== userId()) return true;
    const age = Date.now() - Number(last.at);
    return !(age >= 0 && age < RESYNC_AFTER_MS); // also when the clock went back or `at` is garbage
  }

  function registration() {
    // app.js registers the worker on load; registering again is harmless and covers a first visit.
    const ready = navigator.serviceWorker.register('/sw.js', { scope: '/' })
      .then(function () { return navigator.serviceWorker.ready; });
    const timeout = new Promise(function (resolve, reject) {
      setTimeout(function () { reject(new Error('service worker not ready')); }, READY_TIMEOUT_MS);
    });
    return Promise.race([ready, timeout]);
  }

  function keyBytes(base64url) {
    const base64 = (base64url + '='.repeat((4 - (base64url.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
    const raw = window.atob(base64);
    const bytes = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function subscriptionBody(subscription) {
    const json = subscription.toJSON();
    return { endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } };
  }

  function api(name) {
    const card = document.querySelector('[data-push-card]');
    const defaults = {
      key: '/api/v1/push/public-key', subscriptions: '/api/v1/push/subscriptions', test: '/api/v1/push/test',
    };
    return (card && card.getAttribute('data-' + name + '-url')) || defaults[name];
  }

  // The public key, null when push is not set up on the server; throws when offline.
  async function publicKey() {
    const result = await window.Coach.fetchJSON(api('key'));
    if (result.ok && result.data) return result.data.public_key || null;
    throw new Error('public key: HTTP ' + result.status);
  }

  async function save(subscription) {
    const result = await window.Coach.fetchJSON(api('subscriptions'), { body: subscriptionBody(subscription) });
    // A subscription the server refuses as it is (say, a push host it does not allow) would be refused on
    // every page too: that also counts as synced, so it is tried again tomorrow rather than on each load.
    const refused = result.status === 400 && !!result.data && !!result.data.error &&
      result.data.error.code === 'validation_error';
    if (result.ok || refused) rememberSync(subscription.endpoint);
    return result.ok;
  }

  async function currentSubscription() {
    if (!supported() || Notification.permission !== 'granted') return null;
    const reg = await registration();
    return reg.pushManager.getSubscription();
  }

  // The load-time re-sync: 'sent', 'current' (synced recently), 'none' (no permission or no subscription)
  // or 'failed'. getRegistration() rather than register(): a browser with a subscription has a registered
  // worker already, and this must not start an install on the way.
  async function resync() {
    if (Notification.permission !== 'granted') return 'none';
    const reg = await navigator.serviceWorker.getRegistration('/');
    const subscription = reg ? await reg.pushManager.getSubscription() : null;
    if (!subscription) return 'none';
    if (!syncDue(subscription.endpoint)) return 'current';
    return (await save(subscription)) ? 'sent' : 'failed';
  }

  // After the load event, when the main thread is idle, so it never competes with the page.
  function afterLoadWhenIdle(work) {
    function idle() {
      if ('requestIdleCallback' in window) window.requestIdleCallback(work, { timeout: IDLE_TIMEOUT_MS });
      else setTimeout(work, 0);
    }
    if (document.readyState === 'complete') idle();
    else window.addEventListener('load', idle, { once: true });
  }

  /* ---------- The status card ---------- */
  function setupCard(card) {
    const status = card.querySelector('[data-push-status]');
    const parts = {
      enable: card.querySelector('[data-push-enable]'),
      test: card.querySelector('[data-push-test]'),
      disable: card.querySelector('[data-push-disable]'),
      ios: card.querySelector('[data-push-ios]'),
      denied: card.querySelector('[data-push-denied]'),
    };

    function render(state, message) {
      status.setAttribute('data-push-state', state);
      status.textContent = message || MESSAGES[state];
      parts.enable.hidden = !(state === 'off' || state === 'error');
      parts.test.hidden = state !== 'subscribed';
      parts.disable.hidden = state !== 'subscribed';
      parts.ios.hidden = state !== 'ios';
      parts.denied.hidden = state !== 'denied';
    }

    async function initialState() {
      if (!supported()) return isIos() && !isStandalone() ? 'ios' : 'unsupported';
      if (Notification.permission === 'denied') return 'denied';
      if ((await publicKey()) === null) return 'unconfigured';
      if (Notification.permission !== 'granted') return 'off';
      return (await currentSubscription()) ? 'subscribed' : 'off';
    }

    async function enable() {
      // The permission prompt comes first, straight from the tap (iOS asks only from a user gesture).
      let permission = Notification.permission;
      if (permission !== 'granted') permission = await Notification.requestPermission();
      render('working');
      if (permission !== 'granted') return render(permission === 'denied' ? 'denied' : 'off');
      const key = await publicKey();
      if (key === null) return render('unconfigured');
      const reg = await registration();
      let subscription = await reg.pushManager.getSubscription();
      if (!subscription) {
        subscription = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(key) });
      }
      return render((await save(subscription)) ? 'subscribed' : 'error');
    }

    async function test() {
      render('working');
      const subscription = await currentSubscription();
      if (!subscription) return render('off');
      const result = await window.Coach.fetchJSON(api('test'), { body: { endpoint: subscription.endpoint } });
      const outcome = result.data && result.data.outcome;
      if (outcome === 'sent') return render('subscribed', 'Test sent. It should appear in a few seconds.');
      if (result.status === 404 || outcome === 'gone') {
        // The server no longer knows this phone (it expired): subscribe it again.
        await save(subscription);
        return render('subscribed', 'This phone was signed up again. Try the test once more.');
      }
      return render('subscribed', 'The test could not be sent just now. Try again in a minute.');
    }

    async function disable() {
      render('working');
      const subscription = await currentSubscription();
      if (subscription) {
        await window.Coach.fetchJSON(api('subscriptions'), { method: 'DELETE', body: { endpoint: subscription.endpoint } });
        await subscription.unsubscribe();
      }
      forgetSync();
      render('off');
    }

    function guarded(action) {
      return function () {
        action().catch(function () { render('error'); });
      };
    }

    parts.enable.addEventListener('click', guarded(enable));
    parts.test.addEventListener('click', guarded(test));
    parts.disable.addEventListener('click', guarded(disable));
    initialState().then(function (state) { render(state); }, function () { render('error'); });
  }

  const card = document.querySelector('[data-push-card]');
  if (card && window.Coach) setupCard(card);
  // window.CoachPush.resynced: a promise of resync()'s outcome, for anything (the browser tests) that
  // needs to know it is over. Offline or without a worker it is 'failed', and the next load tries again.
  let resynced = Promise.resolve('none');
  if (window.Coach && supported()) {
    resynced = new Promise(function (resolve) {
      afterLoadWhenIdle(function () {
        resync().then(resolve, function () { resolve('failed'); });
      });
    });
  }
  // Signing out (app.js calls this before the form goes): this phone stops getting this person's reminders.
  // The server forgets the endpoint, and the browser drops the subscription, so the push service refuses
  // anything still sent to it (410) and the server deletes it then, if the first step did not reach it
  // (offline). Whoever signs in next turns notifications on again with one tap.
  // Resolves to 'forgotten', 'unsubscribed' (the server was not told) or 'none'.
  async function forgetDevice() {
    if (!supported() || !window.Coach) return 'none';
    const reg = await navigator.serviceWorker.getRegistration('/');
    const subscription = reg ? await reg.pushManager.getSubscription() : null;
    forgetSync();
    if (!subscription) return 'none';
    let told = false;
    try {
      const result = await window.Coach.fetchJSON(api('subscriptions'), {
        method: 'DELETE', body: { endpoint: subscription.endpoint },
      });
      told = result.ok || result.status === 404; // 404: the server did not have it (any more)
    } catch (err) { /* offline: the 410 path cleans up */ }
    try { await subscription.unsubscribe(); } catch (err) { /* already gone */ }
    return told ? 'forgotten' : 'unsubscribed';
  }

  window.CoachPush = { resynced: resynced, forgetDevice: forgetDevice };
})();
