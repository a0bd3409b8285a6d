// The case desk's enhancements; every page works without them.
// - Countdowns: `data-countdown="<ISO time>"` shows the time left ("3 h 10 min left") or how late.
// - Relative times: `data-relative="<ISO time>"` shows "(in 2 h)" or "(25 min ago)".
// - A refused form's message (`data-focus`) takes the keyboard focus.
// - Live notifications (`#live`, server-sent events from /desk/events): alerts are shown and
//   chimed, notices shown, and the queue's table refreshes itself when a complaint breached.
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

  // --- live notifications ---------------------------------------------------------------
  var KEEP = 6; // notifications shown at once, the newest first
  var audio = null;

  function soundReady() {
    return audio !== null && audio.state === "running";
  }

  function unlockSound() {
    // Browsers let a page play sound once the person has used it (a click, a key).
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) return;
    if (audio === null) audio = new Context();
    if (audio.state === "suspended") audio.resume().then(showSoundButton, showSoundButton);
    showSoundButton();
  }

  function showSoundButton() {
    var button = document.getElementById("live-sound");
    if (button) button.hidden = soundReady();
  }

  function chime() {
    var live = document.getElementById("live");
    live.setAttribute("data-chimes", String(Number(live.getAttribute("data-chimes") || 0) + 1));
    if (!soundReady()) return;
    [0, 0.25].forEach(function (delay, i) {
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      var start = audio.currentTime + delay;
      tone.frequency.value = i ? 660 : 880;
      gain.gain.setValueAtTime(0.25, start);
      gain.gain.exponentialRampToValueAtTime(0.001, start + 0.2);
      tone.connect(gain).connect(audio.destination);
      tone.start(start);
      tone.stop(start + 0.2);
    });
  }

  function show(kind, item) {
    var list = document.getElementById("live-items");
    var entry = document.createElement("div");
    entry.className = kind;
    if (kind === "alert") entry.setAttribute("role", "alert");
    var when = document.createElement("span");
    when.className = "when";
    when.textContent = new Date(item.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    var link = document.createElement("a");
    link.href = item.href;
    link.textContent = "Complaint " + item.complaint_id;
    var text = document.createElement("span");
    text.textContent = item.text;
    var dismiss = document.createElement("button");
    dismiss.type = "button";
    dismiss.className = "link";
    dismiss.textContent = "Dismiss";
    dismiss.setAttribute("aria-label", "Dismiss the notification about complaint " + item.complaint_id);
    dismiss.addEventListener("click", function () { entry.remove(); });
    var body = document.createElement("span");
    body.className = "body";
    body.append(when, link, ": ", text);
    entry.append(body, dismiss);
    list.prepend(entry);
    while (list.children.length > KEEP) list.lastElementChild.remove();
  }

  function refreshQueue() {
    var queue = document.getElementById("queue");
    if (queue && window.htmx) window.htmx.trigger(queue, "live-refresh");
  }

  function listen() {
    var live = document.getElementById("live");
    if (!live || !window.EventSource) return;
    live.hidden = false;
    var state = document.getElementById("live-state");
    var sound = document.getElementById("live-sound");
    sound.addEventListener("click", unlockSound);
    document.addEventListener("click", unlockSound, { once: true });
    document.addEventListener("keydown", unlockSound, { once: true });
    unlockSound();
    var source = new EventSource(live.getAttribute("data-source"));
    source.addEventListener("open", function () {
      state.textContent = "Live updates: on";
    });
    source.addEventListener("error", function () {
      state.textContent = source.readyState === EventSource.CLOSED
        ? "Live updates stopped: reload the page (or sign in again)."
        : "Live updates: reconnecting…";
    });
    ["alert", "notice"].forEach(function (kind) {
      source.addEventListener(kind, function (message) {
        var item = JSON.parse(message.data);
        show(kind, item);
        if (kind === "alert") chime();
        if (item.kind === "breached") refreshQueue();
      });
    });
    source.addEventListener("refresh", refreshQueue);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var refused = document.querySelector("[data-focus]");
    if (refused) refused.focus();
    tick();
    setInterval(tick, 15000);
    listen();
  });
  document.addEventListener("htmx:afterSettle", tick);
})();
