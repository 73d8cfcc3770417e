/* Web push on this device. ES2019, no modules; loaded on every page for signed-in people.
 * - Every app load: if notifications are allowed and this browser has a push subscription, it is
 *   sent to the server once per session (browsers rotate subscriptions; the server upserts by endpoint).
 * - [data-push-card] (the Reminders tab): says whether push works here (not supported, the iOS
 *   Home Screen rule, blocked, off, on), asks for permission only after the tap on "Turn on",
 *   subscribes, sends a test, turns it off.
 */
(function () {
  'use strict';

  const SYNC_KEY = 'coach:push-synced';
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

  function storage() {
    try { return window.sessionStorage; } catch (err) { return null; }
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
    const store = storage();
    if (result.ok && store) store.setItem(SYNC_KEY, subscription.endpoint);
    return result.ok;
  }

  async function currentSubscription() {
    if (!supported() || Notification.permission !== 'granted') return null;
    const reg = await registration();
    return reg.pushManager.getSubscription();
  }

  async function sync() {
    try {
      const subscription = await currentSubscription();
      const store = storage();
      if (subscription && (!store || store.getItem(SYNC_KEY) !== subscription.endpoint)) await save(subscription);
    } catch (err) { /* offline or no worker: the next load tries again */ }
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
      const store = storage();
      if (store) store.removeItem(SYNC_KEY);
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
  if (window.Coach && supported()) sync();
})();
