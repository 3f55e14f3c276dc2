// Small comforts on top of pages that work without scripts: keyboard shortcuts (listed on /help)
// and "select every row on this page" for the transactions list's bulk form.
(function () {
  'use strict';
  function typing(target) {
    return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }
  document.addEventListener('keydown', function (e) {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    if (e.key === '/') {
      var search = document.getElementById('q');
      e.preventDefault();
      if (search) search.focus();
      else window.location.href = '/transactions#q';
    } else if (e.key === 'n') {
      var first = document.querySelector('#add-transaction input:not([type=hidden]), #add-transaction select');
      e.preventDefault();
      if (first) first.focus();
      else window.location.href = '/transactions#add-title';
    } else if (e.key === '?') {
      window.location.href = '/help';
    }
  });
  if (window.location.hash === '#q' || window.location.hash === '#add-title') {
    var target = window.location.hash === '#q' ? document.getElementById('q') : document.querySelector('#add-transaction input:not([type=hidden])');
    if (target) target.focus();
  }
  var all = document.getElementById('select-page');
  if (all) {
    var boxes = document.querySelectorAll('input.row-select');
    all.hidden = false;
    all.addEventListener('change', function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
    });
  }
})();
// The bulk form shows the category or account picker only for the change that needs it.
(function () {
  'use strict';
  var action = document.getElementById('bulk-action');
  if (!action) return;
  var targets = document.querySelectorAll('.bulk-target');
  function sync() {
    targets.forEach(function (t) { t.hidden = t.getAttribute('data-for') !== action.value; });
  }
  action.addEventListener('change', sync);
  sync();
})();
