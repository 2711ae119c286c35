/* Peyvand's service worker (peyvand/core/app_shell.py): the app's frame and the offline
   page from the cache; pages and their data always from the network, never stored. */
"use strict";
var CACHE = "{{ cache_name|escapejs }}";
var OFFLINE_URL = "{{ offline_url|escapejs }}";
var STATIC_PREFIX = "{{ static_prefix|escapejs }}";
var SHELL = {{ shell|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(SHELL); }).then(function () {
      return self.skipWaiting();
    })
  );
});

// A new version drops the caches of the old ones.
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("peyvand-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    // A page: from the network; with none, the offline page (in Persian).
    event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE_URL); }));
    return;
  }
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(HASHED_NAMES ? cachedFirst(request) : networkFirst(request));
  }
});

// In production a static file's name changes with its content, so a cached copy is
// right: fetched once, then kept. Without hashed names (development) the network comes
// first, so an edited file shows at once; the cache serves only without a connection.
var HASHED_NAMES = {{ hashed_names|yesno:"true,false" }};

function keep(request, response) {
  if (response.ok) {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

function cachedFirst(request) {
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (response) { return keep(request, response); });
  });
}

function networkFirst(request) {
  return fetch(request).then(function (response) { return keep(request, response); })
    .catch(function () { return caches.match(request); });
}
