(function () {
  "use strict";
  // A click on an item marks the source segments inside its evidence span, within its own document.
  function show(item) {
    var scope = item.closest("[data-document]") || document;
    var start = Number(item.getAttribute("data-start")), end = Number(item.getAttribute("data-end"));
    scope.querySelectorAll(".hit, .item.active").forEach(function (el) { el.classList.remove("hit", "active"); });
    item.classList.add("active");
    var first = null;
    scope.querySelectorAll(".source span[data-start]").forEach(function (span) {
      if (Number(span.getAttribute("data-start")) >= start && Number(span.getAttribute("data-end")) <= end) {
        span.classList.add("hit");
        if (first === null) { first = span; }
      }
    });
    if (first !== null) { first.scrollIntoView({block: "center"}); }
  }
  document.querySelectorAll(".item[data-start]").forEach(function (item) {
    item.addEventListener("click", function () { show(item); });
    item.addEventListener("keydown", function (event) { if (event.key === "Enter") { show(item); } });
  });
})();
