// courtwatch observation form: our own script, and the form works without it.
// - shows and hides questions by the methodology's conditions, the same rule as the server's
//   validator (Methodology::applies): a question applies when the question it depends on applies
//   and that question's answer is (or, for several answers, contains) one of the listed codes;
// - says which answers will be removed because their question no longer applies;
// - counts characters in text answers;
// - keeps a copy of the section in this browser's storage at every change and saves it to the
//   server a moment later (and when the page is left), so that a closed tab or a lost
//   connection loses at most the last seconds;
// (A language switch is a button of the form: the server saves, then shows the same section.)
// - with no connection (the service worker keeps what is sent, see sw.js): shows the copy kept
//   on this device, and says that it will be sent when the connection returns.
(function () {
  "use strict";
  var form = document.getElementById("cw-form");
  if (!form) { return; }
  // A form without autosave (a case): conditions and counters only.
  var plain = form.getAttribute("data-autosave") === "off";
  var id = form.getAttribute("data-id");
  // (Not form.action: the form has buttons named "action".)
  var target = form.getAttribute("action");
  var stored = JSON.parse(form.getAttribute("data-answers") || "{}");
  var conditions = JSON.parse(form.getAttribute("data-conditions") || "{}");
  var status = document.getElementById("cw-autosave");
  var dropping = document.getElementById("cw-dropping");
  var key = "cw-observation:" + id;
  var timer = null;
  var dirty = false;
  var sending = null;

  function block(code) { return document.getElementById("q-" + code); }

  // The answer to `code` now: from this page's controls, else as stored.
  function answer(code) {
    var el = block(code);
    if (!el || !el.querySelector("[name]")) { return stored[code]; }
    var name = "q." + code;
    var kind = el.getAttribute("data-kind");
    var inputs = form.querySelectorAll("[name='" + name + "']");
    if (kind === "checkboxes") {
      var list = [];
      var none = false;
      inputs.forEach(function (i) {
        if (i.checked) { if (i.value === "__none") { none = true; } else { list.push(i.value); } }
      });
      return list.length || none ? list : undefined;
    }
    if (kind === "radio") {
      var chosen;
      inputs.forEach(function (i) { if (i.checked && i.value !== "") { chosen = i.value; } });
      return chosen;
    }
    var v = inputs.length ? inputs[0].value : "";
    return v === "" ? undefined : v;
  }

  function holds(any, value) {
    if (typeof value === "string") { return any.indexOf(value) >= 0; }
    if (Array.isArray(value)) { return value.some(function (v) { return any.indexOf(v) >= 0; }); }
    return false;
  }

  function applies(code, depth) {
    var c = conditions[code];
    if (!c || depth > 50) { return true; }
    return applies(c[0], depth + 1) && holds(c[1], answer(c[0]));
  }

  function answered(el) {
    var code = el.getAttribute("data-q");
    var a = answer(code);
    return a !== undefined;
  }

  function refresh() {
    var gone = [];
    form.querySelectorAll("[data-q]").forEach(function (el) {
      var shown = applies(el.getAttribute("data-q"), 0);
      el.hidden = !shown;
      if (!shown && el.querySelector("[name]") && answered(el)) {
        var label = el.querySelector("legend, label");
        gone.push(label ? label.textContent.replace(/\s*\(.*\)\s*$/, "").trim() : el.getAttribute("data-q"));
      }
    });
    if (dropping) {
      dropping.hidden = gone.length === 0;
      dropping.textContent = gone.length ? dropping.getAttribute("data-text") + " " + gone.join("; ") : "";
    }
  }

  function count(area) {
    var out = document.getElementById("c-" + area.name.slice(2));
    if (out) { out.textContent = Array.from(area.value).length + " / " + area.getAttribute("data-max"); }
  }

  function pairs() {
    var list = [];
    new FormData(form).forEach(function (v, k) { list.push([k, String(v)]); });
    return list;
  }

  function say(text) { if (status) { status.textContent = text; } }

  function keepLocally() {
    try {
      localStorage.setItem(key, JSON.stringify({
        base: form.elements.version.value, section: form.elements.section.value,
        pairs: pairs(), at: Date.now()
      }));
    } catch (e) { /* storage full or off: the server copy remains */ }
  }

  function body() {
    var data = new URLSearchParams();
    pairs().forEach(function (p) { data.append(p[0], p[1]); });
    data.append("autosave", "1");
    return data;
  }

  function save() {
    timer = null;
    if (!dirty || sending) { return sending; }
    dirty = false;
    sending = fetch(target, { method: "POST", body: body(), credentials: "same-origin" })
      .then(function (r) {
        return r.json().then(function (j) { return { status: r.status, json: j }; });
      })
      .then(function (r) {
        if (r.status === 202) {
          // No connection: the service worker keeps it, and it is sent when the connection returns.
          say(form.getAttribute("data-kept-text"));
          if (window.courtwatchFlush) { window.courtwatchFlush(); }
        } else if (r.status === 200) {
          form.elements.version.value = String(r.json.version);
          if (!dirty) { localStorage.removeItem(key); }
          say(form.getAttribute("data-saved-text"));
        } else if (r.status === 409) {
          say(form.getAttribute("data-conflict-text"));
        } else {
          // Refused (a value the validator names): the copy stays here; Save shows why.
          say("");
        }
      })
      .catch(function () {
        dirty = true;
        say(form.getAttribute("data-offline-text"));
      })
      .then(function () { sending = null; });
    return sending;
  }

  function changed(event) {
    if (event && event.target && event.target.matches("textarea[data-max]")) { count(event.target); }
    refresh();
    if (plain) { return; }
    dirty = true;
    keepLocally();
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1500);
  }

  // The outbox's copy of this section (kept by the service worker while there was no
  // connection) is what the monitor typed last: it is shown, and sent again from here. The
  // other sections' copies count for the conditions.
  function fill(list) {
    var byName = {};
    list.forEach(function (p) { (byName[p[0]] = byName[p[0]] || []).push(p[1]); });
    form.querySelectorAll("[name^='q.'], [name='notes']").forEach(function (i) {
      var values = byName[i.name] || [];
      if (i.type === "checkbox" || i.type === "radio") { i.checked = values.indexOf(i.value) >= 0 || (i.type === "radio" && i.value === "" && values.length === 0); }
      else { i.value = values.length ? values[0] : ""; }
    });
    return byName;
  }

  function fromOutbox() {
    if (!window.caches) { return Promise.resolve(false); }
    var mine = "/outbox/" + id + "/" + form.elements.section.value;
    return caches.open("cw-outbox").then(function (box) {
      return box.keys().then(function (requests) {
        var found = false;
        return Promise.all(requests.filter(function (r) {
          return new URL(r.url).pathname.indexOf("/outbox/" + id + "/") === 0;
        }).map(function (r) {
          return box.match(r).then(function (answer) { return answer.text(); }).then(function (body) {
            var list = Array.from(new URLSearchParams(body).entries());
            if (new URL(r.url).pathname === mine) {
              var byName = fill(list);
              if (byName.version) { form.elements.version.value = byName.version[0]; }
              if (byName.base) { form.elements.base.value = byName.base[0]; }
              found = true;
            } else {
              list.forEach(function (p) {
                if (p[0].indexOf("q.") !== 0) { return; }
                var code = p[0].slice(2);
                if (!block(code)) { stored[code] = p[1]; }
              });
            }
          });
        })).then(function () { return found; });
      });
    }).catch(function () { return false; });
  }

  // A copy kept here that the server never got (the tab closed, the connection dropped).
  function restore() {
    var kept;
    try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    if (!kept || kept.section !== form.elements.section.value || kept.base !== form.elements.version.value) { return; }
    fill(kept.pairs);
    dirty = true;
    save();
  }

  form.elements.tz_offset.value = String(-new Date().getTimezoneOffset());
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.querySelectorAll("textarea[data-max]").forEach(count);
  if (plain) {
    refresh();
    if (window.performance && performance.mark) { performance.mark("cw-form-ready"); }
    return;
  }
  // A button pressed while an autosave is on its way: wait for it (it changes the version).
  form.addEventListener("submit", function (event) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (sending) {
      event.preventDefault();
      var button = event.submitter;
      sending.then(function () { dirty = false; form.requestSubmit(button); });
      return;
    }
    dirty = false;
    localStorage.removeItem(key);
  });

  window.addEventListener("pagehide", function () {
    if (dirty && navigator.sendBeacon) { navigator.sendBeacon(target, body()); }
  });

  // Every section of this form, fetched ahead for use with no connection.
  if (navigator.serviceWorker && navigator.serviceWorker.controller) {
    var hearing = form.elements.hearing_id.value;
    navigator.serviceWorker.controller.postMessage({
      ahead: Array.prototype.map.call(form.querySelectorAll("button[name=goto]"), function (b) {
        return target + "?section=" + b.value + "&hearing=" + encodeURIComponent(hearing);
      })
    });
  }
  var here = new URL(window.location.href).searchParams;
  var offlineText = here.get("queued") ? form.getAttribute("data-queued-text")
    : here.get("kept") ? form.getAttribute("data-kept-text") : "";
  if (offlineText) {
    // This page is the copy kept on this device: its counts of unanswered questions are old.
    say(offlineText);
    var note = document.getElementById("cw-offline-note");
    if (note) { note.textContent = offlineText; note.hidden = false; }
    form.querySelectorAll(".sections .count").forEach(function (c) { c.hidden = true; });
  }

  fromOutbox().then(function (found) {
    // (Reached from a form the service worker just kept: nothing new to send.)
    if (found && !here.get("queued") && !here.get("kept")) { dirty = true; save(); }
    else if (!found) { restore(); }
    refresh();
  });
  refresh();
  // The form can be used from here on (the form benchmark reads this mark).
  if (window.performance && performance.mark) { performance.mark("cw-form-ready"); }
})();
