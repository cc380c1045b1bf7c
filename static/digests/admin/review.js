// The review screen by keyboard: j / k move between items, c goes to the comment box.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.altKey || event.ctrlKey || event.metaKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
      return;
    }
    var items = Array.prototype.slice.call(document.querySelectorAll(".review-item"));
    var current = items.indexOf(document.activeElement.closest ? document.activeElement.closest(".review-item") : null);
    if (event.key === "j" || event.key === "k") {
      var next = event.key === "j" ? Math.min(current + 1, items.length - 1) : Math.max(current - 1, 0);
      if (items[next]) {
        items[next].focus();
        items[next].scrollIntoView({block: "start"});
        event.preventDefault();
      }
    } else if (event.key === "c") {
      var box = document.getElementById("review-comment");
      if (box) {
        box.focus();
        event.preventDefault();
      }
    }
  });
})();
