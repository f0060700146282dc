/* The counter kiosk's service worker (scope /k/): the kiosk page and its assets offline.
 *
 * Pages: network first (a fresh form token whenever the network answers), the kept
 * copy when it does not; a page with a dossier code falls back to the counter's own
 * page (the script reads the code from the address). Assets: the kept copy first.
 * Ratings (POST) are never touched here: the page queues them in IndexedDB.
 */
"use strict";

var CACHE = "surveyapp-kiosk-v1";
var ASSETS = ["/static/kiosk.js", "/static/kiosk.css"];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS); }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("surveyapp-kiosk-") === 0 && name !== CACHE;
      }).map(function (name) { return caches["delete"](name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function withoutCode(url) {
  var parsed = new URL(url);
  parsed.searchParams["delete"]("code");
  return parsed.toString();
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate" && url.pathname.indexOf("/k/") === 0) {
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok && !url.searchParams.has("code")) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(request.url, copy); });
        }
        return response;
      }, function () {
        return caches.match(request.url).then(function (kept) {
          return kept || caches.match(withoutCode(request.url));
        }).then(function (kept) {
          return kept || Response.error();
        });
      })
    );
    return;
  }
  if (ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(
      caches.match(url.pathname).then(function (kept) {
        return kept || fetch(request);
      })
    );
  }
});
