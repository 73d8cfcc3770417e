/* Reminder form and calendar page. ES2019, no modules, no dependencies.
 * - [data-reminder-form]: shows only the schedule part the chosen "When" uses, and the routine
 *   choice only for routine reminders (without this script every part is visible and still works)
 * - [data-copy="#id"]: copies that field's value, and says so in [data-copy-status]
 */
(function () {
  'use strict';

  function setupForm(form) {
    const radios = form.querySelectorAll('input[data-schedule-type]');
    const kind = form.querySelector('[data-kind-select]');

    function chosenSchedule() {
      const checked = form.querySelector('input[data-schedule-type]:checked');
      return checked ? checked.value : 'daily';
    }

    function update() {
      const schedule = chosenSchedule();
      form.querySelectorAll('[data-for-schedule]').forEach(function (part) {
        part.hidden = part.getAttribute('data-for-schedule').split(' ').indexOf(schedule) === -1;
      });
      form.querySelectorAll('[data-for-kind]').forEach(function (part) {
        part.hidden = !kind || part.getAttribute('data-for-kind') !== kind.value;
      });
    }

    radios.forEach(function (radio) { radio.addEventListener('change', update); });
    if (kind) kind.addEventListener('change', update);
    form.addEventListener('coach:draft-restored', update);
    update();
  }

  function onCopyClick(event) {
    const button = event.target.closest('[data-copy]');
    if (!button) return;
    const field = document.querySelector(button.getAttribute('data-copy'));
    const status = document.querySelector('[data-copy-status]');
    if (!field) return;
    const done = function (ok) {
      if (status) status.textContent = ok ? 'Copied.' : 'Select the address and copy it.';
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

  document.querySelectorAll('form[data-reminder-form]').forEach(setupForm);
  document.addEventListener('click', onCopyClick);
})();
