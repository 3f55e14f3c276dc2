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
// Suggestions shared by every page that has the field (the currency field's "EUR — Euro" lines):
// one fragment from the app, kept by the browser, whose datalists are moved into the page. Without
// scripts the field still takes a code or a name.
(function () {
  'use strict';
  var wanted = {};
  document.querySelectorAll('input[data-suggestions]').forEach(function (input) {
    var url = input.getAttribute('data-suggestions');
    if (/^\/fragments\/[a-z-]+\.html$/.test(url)) wanted[url] = true;
  });
  Object.keys(wanted).forEach(function (url) {
    fetch(url, { credentials: 'omit' })
      .then(function (r) { return r.ok ? r.text() : ''; })
      .then(function (html) {
        var fragment = new DOMParser().parseFromString(html, 'text/html');
        fragment.querySelectorAll('datalist[id]').forEach(function (list) {
          if (!document.getElementById(list.id)) document.body.appendChild(document.importNode(list, true));
        });
      })
      .catch(function () { /* the field works without its suggestions */ });
  });
})();
