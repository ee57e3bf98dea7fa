// courtwatch pages' script: our own, and every page works without it.
// - registers the service worker (sw.js) that keeps the monitor's pages for use with no
//   connection, and asks it to fetch ahead the blank forms of the hearings listed on home;
// - sends the outbox (forms kept on this device while there was no connection) when a page
//   loads, when the browser says it is online again, and every 10 seconds; each record's
//   sections first, then its submission; a record created twice by a retry is still one record
//   (the form's id), and a save that meets a newer copy on the server is left for the monitor;
//   only the signed-in user's records are sent, so a shared device never sends one user's
//   record under another's session;
// - shows how many records are not sent yet, and warns before signing out while some are not;
// - deletes the copies of pages at sign-out, and on the sign-in page (a session that ended).
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.caches) { return; }
  var OUTBOX = "cw-outbox";
  var badge = document.getElementById("cw-unsent");
  var signOut = document.querySelector("form.signout");
  var csrfField = signOut && signOut.querySelector("input[name=csrf]");
  var sending = false;
  // Only the signed-in user's records are counted and sent (a shared device).
  var user = badge ? badge.getAttribute("data-user") : "";

  function tell(message) {
    return navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) { reg.active.postMessage(message); }
    });
  }

  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* no offline use */ });

  if (location.pathname === "/sign-in") { tell({ forget: true }); return; }

  // What the outbox holds: record id → { sections: [[at, key]], submit: key }.
  function pending() {
    return caches.open(OUTBOX).then(function (box) {
      return box.keys().then(function (requests) {
        var records = {};
        return Promise.all(requests.map(function (req) {
          return box.match(req).then(function (r) {
            if (r.headers.get("x-owner") !== user) { return; }
            var parts = new URL(req.url).pathname.split("/");
            var id = parts[2];
            var rec = records[id] = records[id] || { sections: [], submit: null };
            if (parts[3] === "~submit") { rec.submit = req; }
            else { rec.sections.push([Number(r.headers.get("x-at") || 0), req]); }
          });
        })).then(function () { return { box: box, records: records }; });
      });
    });
  }

  function show(count, attention) {
    if (!badge) { return; }
    badge.hidden = count === 0;
    badge.textContent = count === 0 ? "" : badge.getAttribute("data-text") + " " + count +
      (attention.length ? " · " + badge.getAttribute("data-attention") : "");
    var links = document.getElementById("cw-unsent-links");
    if (links) {
      links.textContent = "";
      attention.forEach(function (a) {
        var li = document.createElement("li");
        var link = document.createElement("a");
        link.href = a;
        link.textContent = a.split("?")[0];
        li.appendChild(link);
        links.appendChild(li);
      });
    }
  }

  // One kept form sent again: with this page's token, answered in JSON.
  function post(id, body, submit) {
    var form = new URLSearchParams(body);
    form.delete("goto");
    form.set("action", submit ? "submit" : "save");
    form.set("autosave", "1");
    if (csrfField) { form.set("csrf", csrfField.value); }
    return fetch("/observations/" + id, { method: "POST", body: form, credentials: "same-origin" })
      .then(function (r) {
        var json = (r.headers.get("content-type") || "").indexOf("application/json") === 0;
        return { status: json ? r.status : 0, form: form };
      });
  }

  function flush() {
    if (sending || !csrfField) { return Promise.resolve(); }
    sending = true;
    var attention = [];
    return pending().then(function (p) {
      var ids = Object.keys(p.records);
      return ids.reduce(function (done, id) {
        return done.then(function (go) {
          if (!go) { return false; }
          var rec = p.records[id];
          rec.sections.sort(function (a, b) { return a[0] - b[0]; });
          var steps = rec.sections.map(function (s) { return [s[1], false]; });
          if (rec.submit) { steps.push([rec.submit, true]); }
          return steps.reduce(function (prev, step) {
            return prev.then(function (state) {
              if (state !== "ok") { return state; }
              return p.box.match(step[0]).then(function (r) { return r.text(); }).then(function (body) {
                return post(id, body, step[1]).then(function (answer) {
                  if (answer.status === 200) { return p.box.delete(step[0]).then(function () { return "ok"; }); }
                  if (answer.status === 202) { return "offline"; }
                  var f = answer.form;
                  attention.push("/observations/" + id + "?section=" + encodeURIComponent(f.get("section") || "") +
                    "&hearing=" + encodeURIComponent(f.get("hearing_id") || "") + (step[1] ? "&check=1" : ""));
                  return answer.status === 0 ? "offline" : "stuck";
                });
              });
            });
          }, Promise.resolve("ok")).then(function (state) { return state !== "offline"; });
        });
      }, Promise.resolve(true));
    }).catch(function () { /* tried again soon */ }).then(function () {
      sending = false;
      return pending().then(function (p) { show(Object.keys(p.records).length, attention); });
    });
  }

  if (signOut) {
    signOut.addEventListener("submit", function (event) {
      var count = badge && !badge.hidden ? 1 : 0;
      if (count && !window.confirm(badge.getAttribute("data-warn"))) { event.preventDefault(); return; }
      tell({ forget: true });
    });
  }

  // Home: the blank forms of the hearings listed, for use with no connection.
  var ahead = Array.prototype.map.call(
    document.querySelectorAll("a[href^='/observations/new?hearing=']"),
    function (a) { return a.getAttribute("href"); });
  if (ahead.length) { tell({ ahead: ahead }); }

  window.courtwatchFlush = flush;
  window.addEventListener("online", flush);
  setInterval(flush, 10000);
  flush();
})();
