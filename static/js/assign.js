/* The assign form's client picker: filter a long list by name, tick or clear what is shown, count what is
 * ticked. Without this script every client is listed and ticking still works. ES2019, no dependencies. */
(function () {
  'use strict';

  function setup(picker) {
    const filter = picker.querySelector('[data-client-filter]');
    const choices = Array.prototype.slice.call(picker.querySelectorAll('[data-client-name]'));
    const count = picker.querySelector('[data-client-count]');
    const bulk = picker.querySelector('[data-bulk]');

    function shown() { return choices.filter(function (choice) { return !choice.hidden; }); }

    function updateCount() {
      if (!count) return;
      const ticked = choices.filter(function (choice) { return choice.querySelector('input').checked; }).length;
      count.textContent = ticked + ' of ' + choices.length + ' ticked';
    }

    function applyFilter() {
      const words = (filter.value || '').trim().toLowerCase();
      choices.forEach(function (choice) {
        choice.hidden = words !== '' && choice.getAttribute('data-client-name').indexOf(words) === -1;
      });
    }

    if (filter) {
      filter.closest('[data-filter-box]').hidden = false;
      filter.addEventListener('input', applyFilter);
      // Enter in the filter must not send the form.
      filter.addEventListener('keydown', function (event) { if (event.key === 'Enter') event.preventDefault(); });
    }
    if (bulk) {
      bulk.hidden = false;
      bulk.addEventListener('click', function (event) {
        const button = event.target.closest('[data-tick]');
        if (!button) return;
        const on = button.getAttribute('data-tick') === 'all';
        shown().forEach(function (choice) { choice.querySelector('input').checked = on; });
        updateCount();
      });
    }
    picker.addEventListener('change', updateCount);
    picker.closest('form').addEventListener('coach:draft-restored', updateCount);
    updateCount();
  }

  document.querySelectorAll('[data-client-picker]').forEach(setup);
})();
