// envhome's service worker. It keeps the app shell (styles, script,
// icons, the offline page) and the booking pages the user opened, with
// their QR codes, so that a manager in a classroom without signal can
// still show the check-in code. Nothing else is cached: other pages carry
// other data and are always fetched. Logging in or out clears every cache
// (the page does it, and the server sends Clear-Site-Data).
// VERSION and SHELL are prepended by the server (/sw.js).
"use strict";
var SHELL_CACHE = "envhome-shell-" + VERSION;
var BOOKINGS_CACHE = "envhome-bookings";
var BOOKING = /^\/bookings\/\d+(\/qr\.png)?$/;

self.addEventListener("install", function (e) {
  e.waitUntil(caches.open(SHELL_CACHE).then(function (c) { return c.addAll(SHELL); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("envhome-shell-") === 0 && k !== SHELL_CACHE; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("message", function (e) {
  if (e.data === "clear") e.waitUntil(caches.delete(BOOKINGS_CACHE));
});

self.addEventListener("fetch", function (e) {
  var req = e.request;
  if (req.method !== "GET") return;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    e.respondWith(caches.match(req).then(function (hit) { return hit || fetch(req); }));
    return;
  }
  if (BOOKING.test(url.pathname)) {
    // Network first; the copy is for when there is no network.
    e.respondWith(fetch(req).then(function (res) {
      if (res.ok && !res.redirected) {
        var copy = res.clone();
        caches.open(BOOKINGS_CACHE).then(function (c) { c.put(req, copy); });
      }
      return res;
    }).catch(function () {
      return caches.match(req, { cacheName: BOOKINGS_CACHE }).then(function (hit) { return hit || caches.match("/offline"); });
    }));
    return;
  }
  if (req.mode === "navigate") {
    e.respondWith(fetch(req).catch(function () { return caches.match("/offline"); }));
  }
});
