/* Invite codes. ES2019, no modules, no dependencies.
 * - [data-copy="#id"]: copies that field's value (the invite link), and says so in [data-copy-status]
 * Without this script the link is still there to select and copy by hand.
 */
(function () {
  'use strict';

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

  document.addEventListener('click', onCopyClick);
})();
