// courtwatch service worker: our own script. It keeps the pages a monitor needs in the field so
// that a hearing's form opens, fills in and submits with no connection.
// - pages: the home page, the observation forms the monitor opened (each section), the blank
//   forms of the hearings listed on home (fetched ahead when home is shown), and the assets;
//   always from the network first, from this device's copy when the network fails;
// - the outbox: a form sent with no connection (a save, a section change, a submission) is kept
//   here, keyed by record and section, and the page answers as if it had been saved; the pages'
//   script (app.js) sends the outbox when the connection returns. A retried send is harmless:
//   records are created under the id the form was given, once.
// The copies of pages are deleted at sign-out; the outbox is kept until it is sent.
"use strict";

var PAGES = "cw-pages-v1";
var OUTBOX = "cw-outbox";
var ASSETS = ["/static/app.css", "/static/app.js", "/static/form.js"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(PAGES).then(function (c) { return c.addAll(ASSETS); }).then(function () {
    return self.skipWaiting();
  }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) {
      return n.indexOf("cw-pages-") === 0 && n !== PAGES;
    }).map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

// The key of a page in the copy: a form's section, whatever else its address says.
function keyOf(url) {
  if (/^\/observations\/[0-9a-f-]{36}$/.test(url.pathname)) {
    return url.pathname + "?section=" + (url.searchParams.get("section") || "");
  }
  if (url.pathname === "/observations/new") {
    return "/observations/new?hearing=" + (url.searchParams.get("hearing") || "");
  }
  return url.pathname;
}

function kept(url) {
  return url.pathname === "/" || ASSETS.indexOf(url.pathname) >= 0 ||
    /^\/observations\/[0-9a-f-]{36}$/.test(url.pathname);
}

function copy(response, text) {
  return new Response(text, {
    status: 200,
    headers: {
      "content-type": response.headers.get("content-type") || "text/html; charset=utf-8",
      "content-security-policy": response.headers.get("content-security-policy") || "default-src 'none'"
    }
  });
}

function offlinePage() {
  return new Response(
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
    "<title>No connection · courtwatch</title><link rel=\"stylesheet\" href=\"/static/app.css\"></head><body><main id=\"main\">" +
    "<h1>No connection</h1><p>This page was not kept on this device. Your unsent records are safe here; go back to the form or to <a href=\"/\">home</a>.</p>" +
    "<p lang=\"sq\">Nuk ka lidhje. Kjo faqe nuk u ruajt në këtë pajisje.</p><p lang=\"sr-Latn\">Nema veze. Ova stranica nije sačuvana na ovom uređaju.</p>" +
    "</main></body></html>",
    { status: 503, headers: { "content-type": "text/html; charset=utf-8" } });
}

function fromCopy(url) {
  return caches.open(PAGES).then(function (c) { return c.match(keyOf(url)); });
}

function page(event, url) {
  return fetch(event.request).then(function (response) {
    if (response.status === 200 && response.type === "basic" && kept(url)) {
      var clone = response.clone();
      event.waitUntil(clone.text().then(function (text) {
        return caches.open(PAGES).then(function (c) { return c.put(keyOf(url), copy(response, text)); });
      }));
    }
    return response;
  }, function () {
    return fromCopy(url).then(function (hit) { return hit || offlinePage(); });
  });
}

// A form sent with no connection: kept in the outbox; the page goes on as after a save.
function keep(body, url) {
  return Promise.resolve(body).then(function (body) {
    var form = new URLSearchParams(body);
    var id = url.pathname.split("/")[2];
    var section = form.get("section") || "";
    var action = form.get("action") || "";
    // Whose it is: the outbox of a shared device sends each user's records only for them.
    var headers = { "x-at": String(Date.now()), "x-owner": form.get("owner") || "" };
    return caches.open(OUTBOX).then(function (box) {
      var saves = [box.put("/outbox/" + id + "/" + section, new Response(body, { headers: headers }))];
      if (action === "submit") {
        saves.push(box.put("/outbox/" + id + "/~submit", new Response(body, { headers: headers })));
      }
      return Promise.all(saves);
    }).then(function () {
      if (form.get("autosave") === "1") {
        return new Response(JSON.stringify({ kept: true }), {
          status: 202, headers: { "content-type": "application/json" }
        });
      }
      var go = form.get("goto") || section;
      var next = url.pathname + "?section=" + encodeURIComponent(go) +
        "&hearing=" + encodeURIComponent(form.get("hearing_id") || "") +
        (action === "submit" ? "&queued=1" : "&kept=1");
      return Response.redirect(next, 303);
    });
  });
}

function send(event, url) {
  var request = event.request;
  var form = null;
  var sent = "";
  return request.clone().text().then(function (body) {
    sent = body;
    form = new URLSearchParams(body);
    return fetch(request);
  }).then(function (response) {
    var id = url.pathname.split("/")[2];
    var section = form.get("section") || "";
    var work = [];
    if (response.status < 500) {
      // This device's copy of the section is out of date now (form.js fetches it again).
      work.push(caches.open(PAGES).then(function (c) {
        return c.delete(url.pathname + "?section=" + section);
      }));
    }
    if (response.status === 200 || response.type === "opaqueredirect") {
      // The server has what the outbox kept for this section (and the submission).
      work.push(caches.open(OUTBOX).then(function (box) {
        var gone = [box.delete("/outbox/" + id + "/" + section)];
        if (form.get("action") === "submit") { gone.push(box.delete("/outbox/" + id + "/~submit")); }
        return Promise.all(gone);
      }));
    }
    event.waitUntil(Promise.all(work));
    return response;
  }, function () { return keep(sent, url); });
}

// Blank forms of the hearings on home, and every section of a form, fetched ahead.
function fetchAhead(urls) {
  return caches.open(PAGES).then(function (c) {
    return urls.reduce(function (done, href) {
      return done.then(function () {
        var url = new URL(href, self.location.origin);
        return c.match(keyOf(url)).then(function (hit) {
          if (hit) { return null; }
          return fetch(url.toString(), { credentials: "same-origin", redirect: "follow" }).then(function (r) {
            if (r.status !== 200) { return null; }
            return r.text().then(function (text) {
              var at = new URL(r.url);
              var puts = [c.put(keyOf(url), copy(r, text))];
              if (at.pathname !== url.pathname) {
                puts.push(c.put(keyOf(at), copy(r, text)));
                // A new form: its other sections too, under the id it was given.
                var sections = [];
                text.replace(/name="goto" value="([a-z0-9_]+)"/g, function (_, s) { sections.push(s); return _; });
                var hearing = url.searchParams.get("hearing") || "";
                puts.push(fetchAhead(sections.map(function (s) {
                  return at.pathname + "?section=" + s + "&hearing=" + encodeURIComponent(hearing);
                })));
              }
              return Promise.all(puts);
            });
          }).catch(function () { return null; });
        });
      });
    }, Promise.resolve());
  });
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.ahead) { event.waitUntil(fetchAhead(data.ahead)); }
  if (data.forget) { event.waitUntil(caches.delete(PAGES)); }
});

self.addEventListener("fetch", function (event) {
  var url = new URL(event.request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) { return; }
  if (event.request.method === "GET" && (kept(url) || url.pathname === "/observations/new" ||
      event.request.mode === "navigate")) {
    event.respondWith(page(event, url));
  } else if (event.request.method === "POST" && /^\/observations\/[0-9a-f-]{36}$/.test(url.pathname)) {
    event.respondWith(send(event, url));
  }
});
