// The case desk's enhancements; every page works without them.
// - Countdowns: `data-countdown="<ISO time>"` shows the time left ("3 h 10 min left") or how late.
// - Relative times: `data-relative="<ISO time>"` shows "(in 2 h)" or "(25 min ago)".
// - A refused form's message (`data-focus`) takes the keyboard focus.
(function () {
  "use strict";

  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var mins = minutes % 60;
    if (days) return hours ? days + " d " + hours + " h" : days + " d";
    if (hours) return mins ? hours + " h " + mins + " min" : hours + " h";
    return mins ? mins + " min" : "less than a minute";
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-countdown")) - now;
      el.textContent = left > 0 ? span(left) + " left" : "late by " + span(left);
      el.classList.toggle("late", left <= 0);
    });
    document.querySelectorAll("[data-relative]").forEach(function (el) {
      var diff = Date.parse(el.getAttribute("data-relative")) - now;
      el.textContent = diff > 0 ? "(in " + span(diff) + ")" : "(" + span(diff) + " ago)";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var refused = document.querySelector("[data-focus]");
    if (refused) refused.focus();
    tick();
    setInterval(tick, 15000);
  });
  document.addEventListener("htmx:afterSettle", tick);
})();
