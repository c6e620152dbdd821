/*
 * runtime/camp.js -- camp's website tracker, served by `camp serve` as /camp.js
 * (embedded in the binary at build time; see runtime/serve_site.c).
 *
 * Owns: the `_paq` queue API subset a page uses (setTrackerUrl, setSiteId,
 * setUserId, resetUserId, setCustomUrl, setDocumentTitle, setReferrerUrl,
 * trackPageView, trackEvent; other Matomo commands are ignored), and sending
 * hits in the Matomo tracking protocol to the collector: /matomo.php on this
 * script's own origin unless setTrackerUrl says otherwise.
 * Who: a contact token (?camp_ct=, appended by camp's tracked email links) is
 * kept in the first-party cookie camp_ct and taken out of the address bar;
 * the user id sent is setUserId's value, else that token.  The visitor id
 * (_id, 16 hex digits) lives in the first-party cookie camp_id.
 * Does not own: what the collector makes of a hit (runtime/serve.c).
 * No third-party code.
 */
(function (window, document) {
  "use strict";
  var TOKEN = "camp_ct", VISITOR = "camp_id", DAYS = 30;
  var script = document.currentScript;
  var state = {
    tracker: script && script.src ? new URL("/matomo.php", script.src).href : "/matomo.php",
    site: null, user: null, url: null, title: null, referrer: document.referrer || ""
  };

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|;\\s*)" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : null;
  }
  function setCookie(name, value, days) {
    document.cookie = name + "=" + encodeURIComponent(value) + "; path=/; Max-Age=" + days * 86400 +
      "; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }
  function randomHex(n) {
    var b = new Uint8Array(n / 2), s = "";
    (window.crypto || window.msCrypto).getRandomValues(b);
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    return s;
  }

  /* The contact token from a tracked link: into the cookie, out of the address bar. */
  function takeToken() {
    var u = new URL(location.href), t = u.searchParams.get(TOKEN);
    if (t === null) return;
    if (/^[A-Za-z0-9_-]{1,200}$/.test(t)) setCookie(TOKEN, t, DAYS);
    u.searchParams.delete(TOKEN);
    if (window.history && history.replaceState) history.replaceState(history.state, "", u.href);
  }
  function visitorId() {
    var id = cookie(VISITOR);
    if (!id || !/^[0-9a-f]{16}$/.test(id)) id = randomHex(16);
    setCookie(VISITOR, id, 395);
    return id;
  }

  function send(params) {
    if (state.site === null) return;
    var p = {
      idsite: state.site, rec: 1, url: state.url || location.href, action_name: params.action_name,
      urlref: state.referrer, _id: visitorId(), uid: state.user !== null ? state.user : cookie(TOKEN),
      e_c: params.e_c, e_a: params.e_a, e_n: params.e_n, e_v: params.e_v,
      r: randomHex(6), apiv: 1, send_image: 0
    };
    var body = new URLSearchParams();
    for (var k in p) if (p[k] !== undefined && p[k] !== null && p[k] !== "") body.append(k, String(p[k]));
    var type = "application/x-www-form-urlencoded;charset=UTF-8";
    if (navigator.sendBeacon && navigator.sendBeacon(state.tracker, new Blob([body.toString()], { type: type }))) return;
    fetch(state.tracker, { method: "POST", body: body, keepalive: true, mode: "no-cors", credentials: "omit" }).catch(function () {});
  }

  var commands = {
    setTrackerUrl: function (u) { state.tracker = new URL(String(u), location.href).href; },
    setSiteId: function (id) { state.site = String(id); },
    setUserId: function (id) { state.user = id === undefined || id === null || id === "" ? null : String(id); },
    resetUserId: function () { state.user = null; },
    setCustomUrl: function (u) { state.url = new URL(String(u), location.href).href; },
    setDocumentTitle: function (t) { state.title = String(t); },
    setReferrerUrl: function (u) { state.referrer = String(u); },
    trackPageView: function (title) {
      send({ action_name: title !== undefined && title !== null ? String(title) : state.title !== null ? state.title : document.title });
    },
    trackEvent: function (category, action, name, value) {
      if (!category || !action) return;
      var v = value === undefined || value === null || value === "" ? undefined : Number(value);
      send({ e_c: String(category), e_a: String(action), e_n: name === undefined || name === null ? undefined : String(name),
             e_v: v === undefined || isNaN(v) ? undefined : v });
    }
  };
  function run(entry) {
    if (!entry || !entry.length) return;
    if (typeof entry[0] === "function") { try { entry[0].apply(api); } catch (e) {} return; }
    var f = commands[entry[0]];            /* other Matomo commands: ignored */
    if (f) f.apply(null, Array.prototype.slice.call(entry, 1));
  }

  var api = { push: function () { for (var i = 0; i < arguments.length; i++) run(arguments[i]); return 0; } };
  takeToken();
  /* As Matomo's tracker: the tracker URL, site and user id queued before
     the script loaded are applied before the rest of the queue (so a
     snippet may push trackPageView first); everything else in order. */
  var FIRST = { setTrackerUrl: 1, setSiteId: 1, setUserId: 1 };
  var queued = window._paq instanceof Array ? window._paq : [], i;
  window._paq = api;
  for (i = 0; i < queued.length; i++) if (queued[i] && FIRST[queued[i][0]]) run(queued[i]);
  for (i = 0; i < queued.length; i++) if (!queued[i] || !FIRST[queued[i][0]]) run(queued[i]);
})(window, document);
