/* live.js: keeps a dashboard fresh without polling.
 *
 * Connects to Socket.IO at /api/socket (rooms are assigned by the server from the session), maps the topics of
 * each `dashboard:update` signal to the panels on this page (their data-topics), and asks htmx to refetch only
 * those, debounced, one request in flight per panel, last one wins. Swaps are morphs, so focus and open forms
 * survive; a panel whose form is being edited waits until the form is left. The badge says live /
 * reconnecting / offline since hh:mm, and a reconnect asks the server what changed since the last `v` seen.
 * No inline script anywhere: this file runs under the page's Content-Security-Policy.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var HIGHLIGHT_MS = 1600;
  var body = document.body;
  var lastV = parseInt(body.getAttribute("data-live-v") || "0", 10) || 0;
  var badge = document.getElementById("conn-badge");
  var offlineSince = null;
  var state = new Map(); // element -> {timer, inFlight, again, highlight, before}

  function panels() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-topics]"));
  }

  function topicsOf(el) {
    return (el.getAttribute("data-topics") || "").split(/\s+/).filter(Boolean);
  }

  function stateOf(el) {
    if (!state.has(el)) state.set(el, { timer: null, inFlight: false, again: false, highlight: false });
    return state.get(el);
  }

  function isBusy(el) {
    // A panel being edited (focus inside, or a form with unsent input) is not swapped under the user.
    return el.contains(document.activeElement) && document.activeElement !== el ||
      el.querySelector("form[data-dirty]") !== null;
  }

  function refresh(el) {
    var s = stateOf(el);
    s.highlight = true;
    clearTimeout(s.timer);
    s.timer = setTimeout(function () { fire(el); }, DEBOUNCE_MS);
  }

  function fire(el) {
    var s = stateOf(el);
    if (s.inFlight || isBusy(el)) { s.again = true; return; }
    s.inFlight = true;
    s.again = false;
    s.before = el.textContent;
    el.setAttribute("data-refreshes", String(parseInt(el.getAttribute("data-refreshes") || "0", 10) + 1));
    htmx.trigger(el, "refresh-panel");
  }

  function settled(el) {
    var s = stateOf(el);
    s.inFlight = false;
    if (s.highlight && s.before !== undefined && s.before !== el.textContent) {
      el.classList.remove("panel-changed");
      void el.offsetWidth; // restart the animation
      el.classList.add("panel-changed");
      setTimeout(function () { el.classList.remove("panel-changed"); }, HIGHLIGHT_MS);
    }
    s.highlight = false;
    if (s.again) refresh(el);
  }

  function refreshTopics(topics) {
    var wanted = new Set(topics);
    panels().forEach(function (el) {
      if (topicsOf(el).some(function (t) { return wanted.has(t); })) refresh(el);
    });
  }

  function refreshAll() { panels().forEach(refresh); }

  function clock(d) {
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function setBadge(kind, text) {
    if (!badge) return;
    badge.className = "conn-badge conn-" + kind;
    badge.textContent = text;
    body.setAttribute("data-live", kind);
  }

  // A panel whose request failed without an answer (connection dropped, server restarting, or no answer
  // within the panel's 4 s timeout) tries again, backing off from 1 s to 30 s, instead of staying
  // "Loading…" until its next change.
  document.addEventListener("htmx:error", function (evt) {
    var el = evt.target && evt.target.closest && evt.target.closest("[data-topics]");
    if (!el) return;
    var s = stateOf(el);
    s.retryDelay = Math.min((s.retryDelay || 500) * 2, 30000);
    setTimeout(function () { refresh(el); }, s.retryDelay);
  });
  document.addEventListener("htmx:after:swap", function (evt) {
    var el = evt.target && evt.target.closest && evt.target.closest("[data-topics]");
    if (el && state.has(el)) stateOf(el).retryDelay = 0;
  });

  // Safeguard: a panel still showing "Loading…" 5 s after the page loaded (its first answer lost for any
  // reason) is asked for again; the check stops once every panel has loaded.
  var watchdog = setInterval(function () {
    var waiting = document.querySelectorAll("[data-topics][aria-busy=true]");
    if (!waiting.length) { clearInterval(watchdog); return; }
    if (performance.now() < 5000) return;
    Array.prototype.forEach.call(waiting, function (el) { if (!stateOf(el).inFlight) refresh(el); });
  }, 2500);

  // htmx lifecycle: a refetch of one of our panels has finished (swapped, or failed).
  document.addEventListener("htmx:finally:request", function (evt) {
    var el = evt.target && evt.target.closest && evt.target.closest("[data-topics]");
    if (el && el === evt.target && state.has(el)) settled(el);
  });
  document.addEventListener("htmx:after:swap", function (evt) {
    var el = evt.target;
    if (el && el.removeAttribute) el.removeAttribute("aria-busy");
  });
  // Forms inside panels: mark them dirty while the user types, clean once sent; catch up afterwards.
  document.addEventListener("input", function (evt) {
    var form = evt.target.closest && evt.target.closest("[data-topics] form");
    if (form && !form.classList.contains("panel-options")) form.setAttribute("data-dirty", "");
  });
  document.addEventListener("htmx:after:request", function (evt) {
    var form = evt.target.closest && evt.target.closest("form[data-dirty]");
    if (form) form.removeAttribute("data-dirty");
  });
  document.addEventListener("focusout", function (evt) {
    var el = evt.target.closest && evt.target.closest("[data-topics]");
    if (el && stateOf(el).again) setTimeout(function () { if (!isBusy(el)) refresh(el); }, 0);
  });

  if (typeof io !== "function") { setBadge("offline", "offline"); return; }

  var socket = io({ path: "/api/socket", transports: ["websocket", "polling"], reconnectionDelayMax: 5000 });

  socket.on("connect", function () {
    setBadge("live", "live");
    var wasOffline = offlineSince !== null;
    offlineSince = null;
    socket.emit("dashboard:sync", { v: lastV }, function (answer) {
      if (!answer) return;
      if (answer.refresh === "all") refreshAll();
      else if (answer.topics && answer.topics.length) refreshTopics(answer.topics);
      if (typeof answer.v === "number") lastV = Math.max(lastV, answer.v);
      body.setAttribute("data-live-v", String(lastV));
      if (wasOffline) body.setAttribute("data-resynced", String(Date.now()));
    });
  });

  socket.on("dashboard:update", function (msg) {
    if (!msg || !Array.isArray(msg.topics)) return;
    if (typeof msg.v === "number" && msg.v > lastV) {
      lastV = msg.v;
      body.setAttribute("data-live-v", String(lastV));
    }
    refreshTopics(msg.topics);
  });

  socket.on("disconnect", function (reason) {
    if (offlineSince === null) offlineSince = new Date();
    if (reason === "io server disconnect") {
      // The server ended this session (logout, deactivation, role change): go to the sign-in page.
      window.location.assign("/login");
      return;
    }
    setBadge("reconnecting", "reconnecting… offline since " + clock(offlineSince));
  });

  socket.io.on("reconnect_failed", function () {
    setBadge("offline", "offline since " + clock(offlineSince || new Date()));
  });
  socket.on("connect_error", function () {
    if (offlineSince === null) offlineSince = new Date();
    setBadge(socket.active ? "reconnecting" : "offline",
      (socket.active ? "reconnecting… " : "") + "offline since " + clock(offlineSince));
  });
})();
