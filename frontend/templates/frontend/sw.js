{% load static %}/* Tarina service worker: keeps the app shell for offline use, and sends the outbox by
   Background Sync where the browser has it. Served from "/". */
"use strict";
importScripts("{% static 'frontend/tus.js' %}", "{% static 'frontend/outbox.js' %}");
const CACHE = "tarina-v3";
const SHELL = [
  "{% url 'frontend:offline' %}",
  "{% static 'frontend/app.css' %}",
  "{% static 'frontend/app.js' %}",
  "{% static 'frontend/reporter.js' %}",
  "{% static 'frontend/answers.js' %}",
  "{% static 'frontend/facilitator.js' %}",
  "{% static 'frontend/tus.js' %}",
  "{% static 'frontend/outbox.js' %}",
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
  // A receipt page is never kept: its receipt is shown once.
  if (request.mode === "navigate" && url.pathname.startsWith("/d/") && !url.pathname.endsWith("/sent/")) {
    // Drive pages: network first, the last copy when offline, so a story can be queued. The
    // facilitator mode is kept apart from the page for one storyteller.
    const key = url.pathname + (url.searchParams.get("mode") === "facilitator" ? "?mode=facilitator" : "");
    event.respondWith(
      fetch(request).then((response) => {
        if (response.ok) {
          const copy = response.clone();
          caches.open(CACHE).then((cache) => cache.put(key, copy));
        }
        return response;
      }).catch(() => caches.match(key).then((hit) => hit || caches.match("{% url 'frontend:offline' %}")))
    );
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => caches.match("{% url 'frontend:offline' %}")));
  }
});
// Background Sync: stories queued offline go when the connection is back, tab open or not.
// Their receipts wait in IndexedDB until a page lists them under "My stories on this phone".
self.addEventListener("sync", (event) => {
  if (event.tag !== "tarina-outbox" || !self.TarinaSender) return;
  event.waitUntil(
    self.TarinaSender.flush().then((online) =>
      self.clients.matchAll().then((clients) => {
        clients.forEach((client) => client.postMessage("tarina:received"));
        if (!online) throw new Error("still offline");  // the browser tries again later
      })
    )
  );
});
