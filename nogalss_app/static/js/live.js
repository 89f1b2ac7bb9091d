/* live.js: keeps a dashboard fresh without polling.
 *
 * Panel lifecycle. A panel ([data-topics]) has no "load" trigger of its own: live.js asks for every panel's first
 * answer once its own listeners exist (as soon as htmx has initialised that panel), so no swap can happen before
 * live.js sees it. This was the cause of panels left aria-busy: htmx initialises on a task of its own after its
 * deferred script runs, and a quick first answer could swap before live.js (after socket.io's parse) attached the
 * listener that clears the busy flag. There is no load watchdog.
 *
 * Live updates. The socket connects with auth {view, params} read from <body data-live-view data-live-params>.
 * `dashboard:panels` pushes rendered fragments: each is morphed in place (focus, typed text and open confirm steps
 * survive) and the panel is not refetched for a signal of the same or an older v. `dashboard:update` signals map
 * their topics to the other panels, which are refetched (debounced, one request in flight per panel, last one
 * wins). Every panel answer carries the ChangeLog v it reflects (X-Live-V), so the echo of the user's own change
 * is skipped. A panel being edited (typed text, focus in a field, an open confirm step) is never swapped under the
 * user: it shows "New data — update" instead. A swap already on its way when the user opens a confirm step (a
 * refetch sent before the click, answered after it) keeps the step open: the morph is told not to drop `open`.
 *
 * Own changes. The answer to a panel form renders the new panel; its notice is kept in the panel (a refresh does
 * not wipe it) and announced politely; focus goes to the panel (or the first refused field); the form resets.
 * Each submission sends the form's Idempotency-Key, which rotates once an answer arrives (a retry after a lost
 * answer reuses it); a second submission of a form still in flight is dropped.
 *
 * Offline. Actions are disabled with the reason, each panel says "not updated since hh:mm" (its server stamp,
 * Nigerian time), the badge says "offline since hh:mm" (server clock from the answers' Date header, Nigerian
 * time); a reconnect asks the server what changed since the last v seen (dashboard:sync).
 *
 * Highlights and announcements only for a real change: the panel's text without its "updated" stamp.
 * No inline script anywhere: this file runs under the page's Content-Security-Policy.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var HIGHLIGHT_MS = 4000; // the fade itself is 1.5 s (CSS); under reduced motion this is how long the outline stays
  var NOTICE_KEEP_MS = 120000;
  var STAMP = "[data-stamp], .panel-updated";
  var OWN_UI = "[data-live-ui]";
  var body = document.body;
  var view = body.getAttribute("data-live-view") || "";
  var viewParams = readJson(body.getAttribute("data-live-params"));
  var lastV = parseInt(body.getAttribute("data-live-v") || "0", 10) || 0;
  var badge = document.getElementById("conn-badge");
  var announcer = document.getElementById("live-announcer") || makeAnnouncer();
  var online = false;
  var offlineSinceMs = null; // on the server's clock
  var clockOffsetMs = 0; // server clock minus browser clock, from the panels' stamps
  var state = new Map();
  var timeFormat = lagosFormat();

  function readJson(text) {
    try { return text ? JSON.parse(text) : {}; } catch (e) { return {}; }
  }

  function makeAnnouncer() {
    var el = document.createElement("div");
    el.id = "live-announcer";
    el.className = "visually-hidden";
    el.setAttribute("role", "status");
    el.setAttribute("aria-live", "polite");
    el.setAttribute("aria-atomic", "true");
    body.appendChild(el);
    return el;
  }

  function lagosFormat() {
    try {
      return new Intl.DateTimeFormat("en-GB", { timeZone: "Africa/Lagos", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    } catch (e) { return null; }
  }

  // The time of day hh:mm in Nigerian time (UTC+1, no daylight saving) of a moment on the server's clock.
  function lagosClock(ms) {
    if (timeFormat) return timeFormat.format(new Date(ms));
    var d = new Date(ms + 3600000);
    return String(d.getUTCHours()).padStart(2, "0") + ":" + String(d.getUTCMinutes()).padStart(2, "0");
  }

  function serverNow() { return Date.now() + clockOffsetMs; }

  function panels() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-topics]"));
  }

  function panelOf(node) {
    return node && node.closest ? node.closest("[data-topics]") : null;
  }

  function panelNamed(name) {
    if (name === "banner") return document.getElementById("alert-banner");
    return document.querySelector('[data-topics][data-panel="' + String(name).replace(/"/g, "") + '"]');
  }

  function topicsOf(el) {
    return (el.getAttribute("data-topics") || "").split(/\s+/).filter(Boolean);
  }

  function stateOf(el) {
    if (!state.has(el)) {
      state.set(el, {
        started: false, loaded: false, timer: null, inFlight: false, forms: 0, again: false,
        v: 0, wantV: 0, digest: null, notice: null, pushed: null, options: null, retryDelay: 0,
      });
    }
    return state.get(el);
  }

  function titleOf(el) {
    var h = el.querySelector("h2");
    return h ? h.textContent.trim() : "Alert";
  }

  // What a panel says, without its "updated" stamp and without what live.js itself adds.
  function digestOf(el) {
    var copy = el.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(STAMP + ", " + OWN_UI), function (n) { n.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  // Texts announced within a short window are read as one message (several panels changing at once).
  var announcing = [];
  var announceTimer = null;
  function announce(text) {
    if (!text || announcing.indexOf(text) >= 0) return;
    announcing.push(text);
    clearTimeout(announceTimer);
    announceTimer = setTimeout(function () {
      announcer.textContent = announcing.map(function (t) { return t.replace(/[.\s]+$/, ""); }).join(". ") + ".";
      announcing = [];
    }, 250);
  }

  function changeText(el) {
    var figure = el.querySelector(".figures > div");
    var label = figure && figure.querySelector(".figure-label");
    var value = figure && figure.querySelector(".figure");
    var what = label && value ? ": " + value.textContent.trim() + " " + label.textContent.trim().toLowerCase() : "";
    return titleOf(el) + " updated" + what;
  }

  function highlight(el) {
    el.classList.remove("panel-changed");
    void el.offsetWidth; // restart the animation (reduced motion: the CSS shows a steady outline instead)
    el.classList.add("panel-changed");
    el.setAttribute("data-changes", String(parseInt(el.getAttribute("data-changes") || "0", 10) + 1));
    setTimeout(function () { el.classList.remove("panel-changed"); }, HIGHLIGHT_MS);
  }

  // Forms and fields -------------------------------------------------------------------------------------------

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (f) {
      return f.type !== "hidden" && f.type !== "submit" && f.type !== "button" && f.tagName !== "BUTTON";
    });
  }

  function isDirty(form) {
    if (form.classList.contains("panel-options")) return false;
    return fieldsOf(form).some(function (f) {
      if (f.type === "checkbox" || f.type === "radio") return f.checked !== f.defaultChecked;
      if (f.tagName === "SELECT" && !f.multiple) return f.selectedIndex !== defaultIndex(f);
      if (f.tagName === "SELECT") {
        return Array.prototype.some.call(f.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      return f.value !== f.defaultValue;
    });
  }

  // The option a single select shows untouched: the one marked selected, else the first that is not disabled
  // (no option marked selected is the usual case: comparing with defaultSelected would call it edited).
  function defaultIndex(select) {
    var options = Array.prototype.slice.call(select.options);
    var marked = options.findIndex(function (o) { return o.defaultSelected; });
    if (marked !== -1) return marked;
    return options.findIndex(function (o) { return !o.disabled; });
  }

  // A panel being edited is not swapped under the user: typed text, focus in a field, an open confirm step.
  function isEditing(el) {
    var active = document.activeElement;
    if (active && active !== el && el.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName) &&
        !(active.form && active.form.classList.contains("panel-options"))) return true;
    if (Array.prototype.some.call(el.querySelectorAll("form"), isDirty)) return true;
    return Array.prototype.some.call(el.querySelectorAll("details[open]"), isOpenStep);
  }

  // An open confirm step: a <details> holding a form, or holding the confirm button of the form around it (the
  // confirm_step macro sits inside its form: looking only for a form inside missed every such step).
  function isOpenStep(d) {
    if (d.querySelector("form") !== null) return true;
    var form = d.closest("form");
    return form !== null && !form.classList.contains("panel-options") &&
      d.querySelector("button[type=submit], button:not([type]), input[type=submit]") !== null;
  }

  function optionsOf(el) {
    var form = el.querySelector("form.panel-options");
    return form ? new URLSearchParams(new FormData(form)).toString() : "";
  }

  function idempotencyKey(form) {
    if (!form.getAttribute("data-idempotency-key")) form.setAttribute("data-idempotency-key", newKey());
    return form.getAttribute("data-idempotency-key");
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  // The "new data — update" button of a panel held because it is being edited.
  function showPending(el) {
    if (el.querySelector("[data-live-apply]")) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-small btn-secondary panel-pending";
    button.setAttribute("data-live-ui", "");
    button.setAttribute("data-live-apply", "");
    button.textContent = "New data — update";
    var header = el.querySelector(".panel-header") || el;
    header.appendChild(button);
  }

  function hidePending(el) {
    Array.prototype.forEach.call(el.querySelectorAll("[data-live-apply]"), function (b) { b.remove(); });
  }

  function apply(el) {
    var s = stateOf(el);
    hidePending(el);
    if (s.pushed && !s.inFlight) {
      var pushed = s.pushed;
      s.pushed = null;
      if (pushed.v > s.v) { swapPushed(el, pushed.html, pushed.v); return; }
    }
    fire(el, true);
  }

  // Refetching ---------------------------------------------------------------------------------------------------

  // Ask for a panel again because of a change `v` (null: unconditionally), debounced.
  function refresh(el, v) {
    var s = stateOf(el);
    if (typeof v === "number") {
      if (s.loaded && v <= s.v) return; // already shown (pushed, or in the answer to the user's own action)
      s.wantV = Math.max(s.wantV, v);
    } else {
      s.wantV = Infinity;
    }
    clearTimeout(s.timer);
    s.timer = setTimeout(function () { fire(el, false); }, DEBOUNCE_MS);
  }

  function fire(el, force) {
    var s = stateOf(el);
    clearTimeout(s.timer);
    if (s.loaded && !force && s.wantV <= s.v) return;
    if (s.inFlight || s.forms > 0) { s.again = true; return; }
    if (s.loaded && !force && isEditing(el)) { s.again = true; showPending(el); return; }
    s.inFlight = true;
    s.again = false;
    s.wantV = 0;
    el.setAttribute("data-refreshes", String(parseInt(el.getAttribute("data-refreshes") || "0", 10) + 1));
    htmx.trigger(el, "refresh-panel");
  }

  function start(el) {
    var s = stateOf(el);
    if (s.started) return;
    s.started = true;
    fire(el, true);
  }

  function refreshTopics(topics, v) {
    var wanted = new Set(topics);
    panels().forEach(function (el) {
      if (topicsOf(el).some(function (t) { return wanted.has(t); })) refresh(el, v);
    });
  }

  // Pushed fragments ---------------------------------------------------------------------------------------------

  function swapPushed(el, html, v) {
    el.setAttribute("data-pushes", String(parseInt(el.getAttribute("data-pushes") || "0", 10) + 1));
    var ctx = { text: html, target: el, swap: "innerMorph", sourceElement: el, liveInfo: { kind: "push", v: v } };
    swapKind = "push";
    var done = htmx.swap(ctx);
    var finish = function () { if (!ctx.liveInfo.handled) afterSwap(el, ctx.liveInfo); };
    if (done && typeof done.then === "function") done.then(finish, finish); else finish();
  }

  function onPanels(msg) {
    if (!msg || !Array.isArray(msg.panels)) return;
    if (msg.dashboard !== "*" && msg.dashboard !== view) return;
    var v = typeof msg.v === "number" ? msg.v : 0;
    msg.panels.forEach(function (p) {
      var el = p && typeof p.html === "string" ? panelNamed(p.name) : null;
      if (!el) return;
      var s = stateOf(el);
      if (!s.loaded || s.inFlight || s.forms > 0) { s.wantV = Math.max(s.wantV, v); s.again = true; return; }
      if (s.options !== null && optionsOf(el) !== s.options) return; // a filter the user chose: refetch path
      if (v && v <= s.v) return;
      if (isEditing(el)) { s.pushed = { html: p.html, v: v }; s.wantV = Math.max(s.wantV, v); showPending(el); return; }
      clearTimeout(s.timer);
      swapPushed(el, p.html, v);
    });
    if (v > lastV) setLastV(v);
  }

  // After any swap into a panel ----------------------------------------------------------------------------------

  function afterSwap(el, info) {
    info = info || { kind: "refresh" };
    if (info.handled) return;
    info.handled = true;
    var s = stateOf(el);
    var wasLoaded = s.loaded;
    el.removeAttribute("aria-busy");
    s.loaded = true;
    s.retryDelay = 0;
    if (typeof info.v === "number" && info.v > s.v) s.v = info.v;
    if (s.pushed && s.pushed.v <= s.v) s.pushed = null;
    if (s.options === null) s.options = optionsOf(el);
    hidePending(el);
    readStamp(el);

    if (info.kind === "form") {
      ownChange(el, info);
    } else {
      restoreNotice(el);
    }
    var digest = digestOf(el);
    if (wasLoaded && info.kind !== "form" && info.kind !== "options" && s.digest !== null && digest !== s.digest) {
      highlight(el);
      announce(changeText(el));
    }
    s.digest = digest;
    if (!online && everConnected) markOffline(el);
    if (s.again || s.wantV > s.v) { s.again = false; refresh(el, s.wantV === Infinity ? null : s.wantV); }
  }

  // The answer to the user's own form: keep its notice, reset the form, move focus to what changed.
  function ownChange(el, info) {
    var s = stateOf(el);
    var form = info.form;
    if (info.ok) {
      var flash = el.querySelector(".panel-body > .flash-success, .panel-body .flash-success");
      if (flash) {
        s.notice = { text: flash.textContent.trim(), at: Date.now() };
        flash.remove();
        restoreNotice(el);
        announce(s.notice.text);
      }
      if (form && form.isConnected) form.reset();
      focusPanel(el);
    } else {
      var invalid = el.querySelector("[aria-invalid=true]");
      var error = el.querySelector(".form-error");
      if (invalid) invalid.focus();
      else if (error) { error.setAttribute("tabindex", "-1"); error.focus(); }
      else focusPanel(el);
    }
  }

  function focusPanel(el) {
    if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
  }

  // The kept notice of the user's last action in this panel: a refresh does not wipe it.
  function restoreNotice(el) {
    var s = stateOf(el);
    if (!s.notice) return;
    if (Date.now() - s.notice.at > NOTICE_KEEP_MS) { s.notice = null; return; }
    var area = el.querySelector(".panel-notice");
    if (!area) {
      area = document.createElement("div");
      area.className = "panel-notice";
      area.setAttribute("data-live-ui", "");
      var host = el.querySelector(".panel-body") || el;
      host.insertBefore(area, host.firstChild);
    }
    var p = area.querySelector(".flash") || area.appendChild(document.createElement("p"));
    p.className = "flash flash-success";
    if (p.textContent !== s.notice.text) p.textContent = s.notice.text;
  }

  // The server's clock: the Date header of its answers. A panel's stamp says when that fragment was computed, and a
  // fragment served from the cache (same v) can be minutes old on a busy machine, so a stamp is only the fallback
  // before any answer had a Date, and then the newest one wins (a stamp is never later than the moment it is read).
  var clockFromDate = false;
  function readDate(response) {
    var header = response && response.headers && response.headers.get && response.headers.get("Date");
    var at = header ? Date.parse(header) : NaN;
    if (isNaN(at)) return;
    clockOffsetMs = at - Date.now();
    clockFromDate = true;
  }

  var stampSeen = false;
  function readStamp(el) {
    if (clockFromDate) return;
    var time = el.querySelector("[data-stamp][datetime], .panel-updated time[datetime]");
    var at = time ? Date.parse(time.getAttribute("datetime")) : NaN;
    if (isNaN(at)) return;
    clockOffsetMs = stampSeen ? Math.max(clockOffsetMs, at - Date.now()) : at - Date.now();
    stampSeen = true;
  }

  // Offline ------------------------------------------------------------------------------------------------------

  var everConnected = false;
  var OFFLINE_REASON = "Offline: actions are paused until the connection is back.";

  function stampText(el) {
    var time = el.querySelector("[data-stamp], .panel-updated time");
    return time ? time.textContent.trim().slice(0, 5) : "";
  }

  function markOffline(el) {
    if (!el.hasAttribute("data-panel")) return; // the alert banner
    if (!el.querySelector(".panel-offline")) {
      var note = document.createElement("p");
      note.className = "panel-offline";
      note.setAttribute("data-live-ui", "");
      note.id = (el.id || "panel") + "-offline";
      var since = stampText(el);
      note.textContent = (since ? "Not updated since " + since + ". " : "Not updated. ") + OFFLINE_REASON;
      var host = el.querySelector(".panel-header") || el;
      host.appendChild(note);
    }
    var noteId = el.querySelector(".panel-offline").id;
    Array.prototype.forEach.call(el.querySelectorAll("form:not(.panel-options) button, form:not(.panel-options) [type=submit]"), function (b) {
      if (b.disabled && !b.hasAttribute("data-live-disabled")) return;
      b.disabled = true;
      b.setAttribute("data-live-disabled", "");
      var described = (b.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      if (described.indexOf(noteId) < 0) b.setAttribute("aria-describedby", described.concat(noteId).join(" "));
    });
  }

  function markOnline(el) {
    var note = el.querySelector(".panel-offline");
    var noteId = note && note.id;
    if (note) note.remove();
    Array.prototype.forEach.call(el.querySelectorAll("[data-live-disabled]"), function (b) {
      b.disabled = false;
      b.removeAttribute("data-live-disabled");
      var rest = (b.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) { return id && id !== noteId; });
      if (rest.length) b.setAttribute("aria-describedby", rest.join(" ")); else b.removeAttribute("aria-describedby");
    });
  }

  function goOffline() {
    var first = online || offlineSinceMs === null;
    online = false;
    if (offlineSinceMs === null) offlineSinceMs = serverNow();
    if (first) panels().forEach(markOffline);
  }

  function goOnline() {
    online = true;
    everConnected = true;
    offlineSinceMs = null;
    panels().forEach(markOnline);
  }

  function setBadge(kind, text) {
    if (!badge) return;
    badge.className = "conn-badge conn-" + kind;
    badge.textContent = text;
    body.setAttribute("data-live", kind);
  }

  function setLastV(v) {
    lastV = Math.max(lastV, v);
    body.setAttribute("data-live-v", String(lastV));
  }

  // htmx lifecycle -----------------------------------------------------------------------------------------------

  document.addEventListener("htmx:after:init", function (evt) {
    var el = evt.target;
    if (el && el.matches && el.matches("[data-topics]")) start(el);
  });

  document.addEventListener("htmx:config:request", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    if (!ctx) return;
    var source = ctx.sourceElement;
    var el = panelOf(ctx.target) || panelOf(source);
    if (!el) return;
    var method = (ctx.request && ctx.request.method || "GET").toUpperCase();
    if (source === el) { ctx.liveInfo = { kind: "refresh" }; return; }
    if (method === "GET") { ctx.liveInfo = { kind: "options" }; return; }
    var form = ctx.request.form || (source && source.closest && source.closest("form"));
    if (!online && everConnected) {
      evt.preventDefault();
      announce(OFFLINE_REASON);
      return;
    }
    if (form && form.hasAttribute("data-in-flight")) { evt.preventDefault(); return; } // a double click
    if (form) {
      form.setAttribute("data-in-flight", "");
      ctx.request.headers["Idempotency-Key"] = idempotencyKey(form);
    }
    stateOf(el).forms += 1;
    ctx.liveInfo = { kind: "form", form: form, ok: false, counted: true };
  });

  document.addEventListener("htmx:after:request", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    if (!ctx || !ctx.liveInfo || !ctx.response) return;
    readDate(ctx.response);
    var header = ctx.response.headers && ctx.response.headers.get("X-Live-V");
    if (header !== null && header !== undefined && header !== "") ctx.liveInfo.v = parseInt(header, 10);
    ctx.liveInfo.ok = ctx.response.status < 400;
    // An answer came: the next submission of this form is a new request (a retry after a lost answer is not).
    if (ctx.liveInfo.form) ctx.liveInfo.form.setAttribute("data-idempotency-key", newKey());
    if (typeof ctx.liveInfo.v === "number" && ctx.liveInfo.v > lastV) setLastV(ctx.liveInfo.v);
  });

  document.addEventListener("htmx:after:swap", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    var el = panelOf(ctx && ctx.target);
    if (!el || (ctx.target !== el)) return;
    afterSwap(el, ctx.liveInfo);
  });

  document.addEventListener("htmx:finally:request", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    var info = ctx && ctx.liveInfo;
    var el = panelOf(ctx && ctx.target);
    if (!info || !el) return;
    var s = stateOf(el);
    if (info.kind === "refresh") s.inFlight = false;
    if (info.counted) {
      info.counted = false;
      s.forms = Math.max(0, s.forms - 1);
      if (info.form) info.form.removeAttribute("data-in-flight");
    }
    if (s.again && !s.inFlight && s.forms === 0) { s.again = false; refresh(el, s.wantV === Infinity || !s.wantV ? null : s.wantV); }
  });

  // A panel whose request failed without an answer (connection dropped, server restarting, or no answer within
  // the panel's 4 s timeout) tries again, backing off from 1 s to 30 s: it keeps saying "Loading…" only while it
  // really has nothing to show.
  document.addEventListener("htmx:error", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    var el = panelOf((ctx && ctx.target) || evt.target);
    if (!el || (ctx && ctx.liveInfo && ctx.liveInfo.kind === "form")) return;
    var s = stateOf(el);
    s.inFlight = false;
    s.retryDelay = Math.min((s.retryDelay || 500) * 2, 30000);
    setTimeout(function () { fire(el, true); }, s.retryDelay);
  });

  // A refresh or push keeps the user's open confirm step open; the answer to the user's own form decides itself.
  // A refetch asked for while no step was open can be answered after the user opened one (the click lands while
  // the request is in flight): the morph then meets an open <details> whose new markup has no `open`. htmx 4 runs
  // its morph hooks (before:morph:attr, before:morph:node) only through extensions, never as DOM events, so this
  // guard is an extension: a listener on document would never be called and the step would close under the user.
  var swapKind = null;
  document.addEventListener("htmx:before:swap", function (evt) {
    var ctx = evt.detail && evt.detail.ctx;
    swapKind = ctx && ctx.liveInfo ? ctx.liveInfo.kind : null;
  });
  function keepsOpen(node, detail) {
    return swapKind !== "form" && detail && detail.attrName === "open" && detail.newValue === null &&
      node && node.tagName === "DETAILS" && node.open && panelOf(node) !== null;
  }
  htmx.registerExtension("live-keep-open", {
    htmx_before_morph_attr: function (node, detail) { return keepsOpen(node, detail) ? false : undefined; },
  });

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("[data-live-apply]");
    var el = button && panelOf(button);
    if (el) apply(el);
  });

  // Leaving a form untouched (or emptied) lets a held panel catch up by itself.
  document.addEventListener("focusout", function () {
    setTimeout(function () {
      panels().forEach(function (el) {
        var s = stateOf(el);
        if ((s.again || s.pushed) && !s.inFlight && !isEditing(el)) {
          if (s.pushed) apply(el); else { s.again = false; fire(el, true); }
        }
      });
    }, 0);
  });

  panels().forEach(function (el) { if (el.hasAttribute("data-htmx-powered")) start(el); });

  if (typeof io !== "function") { setBadge("offline", "offline"); return; }

  var options = { path: "/api/socket", transports: ["websocket", "polling"], reconnectionDelayMax: 5000 };
  if (view) options.auth = { view: view, params: viewParams };
  var socket = io(options);

  socket.on("connect", function () {
    var wasOffline = everConnected && !online;
    goOnline();
    setBadge("live", "live");
    socket.emit("dashboard:sync", { v: lastV }, function (answer) {
      if (!answer || answer.error) return;
      var v = typeof answer.v === "number" ? answer.v : null;
      if (answer.refresh === "all") panels().forEach(function (el) { refresh(el, null); });
      else if (answer.topics && answer.topics.length) refreshTopics(answer.topics, null);
      if (v !== null) setLastV(v);
      if (wasOffline) body.setAttribute("data-resynced", String(Date.now()));
    });
  });

  socket.on("dashboard:panels", onPanels);

  socket.on("dashboard:update", function (msg) {
    if (!msg || !Array.isArray(msg.topics)) return;
    var v = typeof msg.v === "number" ? msg.v : null;
    if (v !== null && v > lastV) setLastV(v);
    refreshTopics(msg.topics, v);
  });

  socket.on("disconnect", function (reason) {
    if (reason === "io server disconnect") {
      // The server ended this session (logout, deactivation, role change): the signed-out page says why and
      // offers to sign in again, back to this page.
      window.location.assign("/signed-out?next=" + encodeURIComponent(location.pathname + location.search));
      return;
    }
    goOffline();
    setBadge("reconnecting", "reconnecting… offline since " + lagosClock(offlineSinceMs));
  });

  socket.io.on("reconnect_failed", function () {
    goOffline();
    setBadge("offline", "offline since " + lagosClock(offlineSinceMs));
  });
  socket.on("connect_error", function () {
    if (!everConnected) { online = false; }
    else goOffline();
    var since = lagosClock(offlineSinceMs === null ? serverNow() : offlineSinceMs);
    setBadge(socket.active ? "reconnecting" : "offline", (socket.active ? "reconnecting… " : "") + "offline since " + since);
  });
})();
