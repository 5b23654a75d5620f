{% load static %}/* Tarina service worker: keeps the app shell for offline use. Served from "/". */
"use strict";
const CACHE = "tarina-v1";
const SHELL = [
  "{% url 'frontend:offline' %}",
  "{% static 'frontend/app.css' %}",
  "{% static 'frontend/app.js' %}",
  "{% static 'frontend/reporter.js' %}",
  "{% static 'frontend/tus.js' %}",
  "{% static 'frontend/icon.svg' %}",
];
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});
self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return; // stories, uploads and forms always go to the network
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/console/") || url.pathname.startsWith("/r/")) return;
  if (url.pathname.startsWith("{% get_static_prefix %}frontend/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate" && url.pathname.startsWith("/d/")) {
    // Drive pages: network first, the last copy when offline, so a story can be queued.
    event.respondWith(
      fetch(request).then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
        }
        return response;
      }).catch(() => caches.match(url.pathname).then((hit) => hit || caches.match("{% url 'frontend:offline' %}")))
    );
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match("{% url 'frontend:offline' %}")));
  }
});
