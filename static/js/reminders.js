/* Reminder form and calendar page. ES2019, no modules, no dependencies.
 * - [data-reminder-form]: shows only the schedule part the chosen "When" uses, and the routine
 *   choice only for routine reminders (without this script every part is visible and still works)
 * (The calendar page's Copy link is app.js's, as on every page.)
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

  document.querySelectorAll('form[data-reminder-form]').forEach(setupForm);
})();
