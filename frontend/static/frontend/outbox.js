/* Sends the outbox: every page of the site loads this (and the service worker imports it
 * for Background Sync), so a queued story goes as soon as there is a connection, whatever
 * page the reporter is reading. Needs tus.js. Hand-written, no dependencies.
 *
 * TarinaSender.flush(hooks) sends the waiting stories oldest first. hooks (all optional):
 * progress(label, percent), queued(), sent(entry), refused(item, error) and takes(item).
 * A story the server refuses leaves the outbox only for a page that takes it back into its
 * form (takes(item) is true: its drive's page); elsewhere, and in the worker, it waits,
 * marked refused, so that nothing the reporter wrote is lost.
 */
(function () {
  "use strict";
  var scope = typeof window !== "undefined" ? window : self;
  var Tus = scope.TarinaTus, Outbox = scope.TarinaOutbox;
  if (!Tus || !Outbox || !scope.indexedDB || !scope.fetch) return;
  var inPage = typeof document !== "undefined";

  function csrf() {
    if (!inPage) return "";
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function send(item, hooks) {
    hooks.progress("sending", null);
    var body = Object.assign({}, item.payload);
    var headers = { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() };
    if (item.blob) {
      var state = await Tus.upload(item.blob, {
        endpoint: "/api/v1/uploads/",
        metadata: { filename: item.filename || "story", filetype: item.type || "application/octet-stream", drive: item.payload.drive },
        csrf: csrf(),
        state: item.upload,
        onState: function (s) { item.upload = s; return Outbox.put(item); },
        onProgress: function (done, total) { hooks.progress("uploading", total ? Math.round(100 * done / total) : 100); },
        onRetry: function () { hooks.progress("retrying", null); },
      });
      body.uploads = [Tus.uploadId(state)];
      if (state.token) headers["Upload-Token"] = state.token;
    }
    var response;
    try {
      response = await fetch("/api/v1/stories/", { method: "POST", headers: headers, body: JSON.stringify(body), credentials: "same-origin" });
    } catch (e) { throw new Tus.NetworkError("offline"); }
    if (response.status >= 500) throw new Tus.NetworkError("server " + response.status);
    var data = await response.json().catch(function () { return {}; });
    if (response.status !== 201) throw new Tus.HttpError(response.status, describe(data));
    return data.receipt;
  }

  // Every message in an API error answer, in reading order.
  function describe(data) {
    var out = [];
    (function walk(value) {
      if (value == null) return;
      if (typeof value === "string") out.push(value);
      else if (Array.isArray(value)) value.forEach(walk);
      else if (typeof value === "object") Object.keys(value).forEach(function (k) { walk(value[k]); });
    })(data);
    return out.join(" ");
  }

  async function flushNow(hooks) {
    var items = (await Outbox.all()).sort(function (a, b) { return a.created - b.created; });
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (item.refused && !hooks.takes(item)) continue;
      try {
        var receipt = await send(item, hooks);
        var entry = { receipt: receipt, drive: item.payload.drive, title: item.payload.title || "", sent: Date.now() };
        // A workshop's storyteller label travels only from the outbox to the phone's list.
        if (item.workshop) { entry.workshop = item.workshop; entry.storyteller = item.storyteller || ""; }
        await Outbox.deliver(item.id, entry);
        hooks.sent(entry);
      } catch (error) {
        if (error instanceof Tus.NetworkError) { hooks.queued(); return false; }
        if (inPage && hooks.takes(item)) {
          await Outbox.remove(item.id);
          hooks.refused(item, error);
        } else {
          item.refused = error.message || String(error);
          await Outbox.put(item);
          if (inPage) hooks.refused(item, error);
        }
      }
    }
    return true;
  }

  var running = null, again = false;
  function flush(hooks) {
    var all = Object.assign({ progress: function () {}, queued: function () {}, sent: function () {}, refused: function () {}, takes: function () { return false; } }, hooks || {});
    if (running) { again = true; return running; }  // a story put in meanwhile goes next
    // One sender at a time across tabs and the worker, so no story goes twice.
    var go = async function () {
      var online;
      do { again = false; online = await flushNow(all); } while (again && online);
      return online;
    };
    var locks = scope.navigator && scope.navigator.locks;
    running = (locks ? locks.request("tarina-outbox", go) : go())
      .finally(function () { running = null; });
    return running;
  }

  scope.TarinaSender = { flush: flush, describe: describe, csrf: csrf };
})();
