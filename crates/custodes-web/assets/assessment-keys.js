// Keyboard shortcuts of the answer entry page: j and k move to the next and previous
// indicator, focusing its chosen level (or its first one) so that the arrow keys change
// the answer at once. Keys typed into text fields, and keys with a modifier, are left
// alone. Loaded as a file because the Content-Security-Policy forbids inline script.
(function () {
  'use strict';
  var cards = function () { return Array.prototype.slice.call(document.querySelectorAll('.answer-card')); };
  var current = function (list) {
    var active = document.activeElement;
    for (var i = 0; i < list.length; i++) {
      if (list[i] === active || list[i].contains(active)) return i;
    }
    // Nothing focused inside a card: the first card whose top is below the page's top.
    for (var j = 0; j < list.length; j++) {
      if (list[j].getBoundingClientRect().bottom > 0) return j - 0.5;
    }
    return -1;
  };
  var go = function (card) {
    var target = card.querySelector('input[type="radio"]:checked') || card.querySelector('input[type="radio"]') || card;
    card.scrollIntoView({ block: 'start', behavior: 'smooth' });
    target.focus({ preventScroll: true });
  };
  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key !== 'j' && e.key !== 'k') return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName)
      || (t.tagName === 'INPUT' && !/^(radio|checkbox|button|submit)$/.test(t.type)))) return;
    var list = cards();
    if (list.length === 0) return;
    var at = current(list);
    var next = e.key === 'j' ? Math.floor(at) + 1 : Math.ceil(at) - 1;
    if (next < 0 || next >= list.length) return;
    e.preventDefault();
    go(list[next]);
  });
})();
