/* Relief Coach report: shows the Print button (hidden without script, which could not print). The diary's and the
 * report's charts are SVG drawn by the server (templates/episodes/_diary_charts.html, report.html): no script.
 */
(function () {
  'use strict';

  document.querySelectorAll('[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });
})();
