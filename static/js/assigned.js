/* "Assigned to me": asks the service worker to keep this list and each routine's player page on this phone,
 * so an assigned routine plays offline like a stock one (static/js/sw.js keeps only these personal pages, and
 * empties everything at sign-out). ES2019, no dependencies. */
(function () {
  'use strict';

  if (!('serviceWorker' in navigator) || !navigator.onLine) return;
  const links = Array.prototype.slice.call(document.querySelectorAll('[data-play-link]'));
  const urls = [window.location.pathname].concat(links.map(function (link) {
    return new URL(link.getAttribute('href'), window.location.href).pathname;
  }));
  navigator.serviceWorker.ready.then(function (registration) {
    if (registration.active) registration.active.postMessage({ type: 'keep-personal', urls: urls });
  }).catch(function () { /* no worker: nothing is kept, the pages still work online */ });
})();
