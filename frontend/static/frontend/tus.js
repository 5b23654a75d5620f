/* A small tus 1.0.0 client and an IndexedDB outbox. Hand-written, no dependencies.
 *
 * TarinaTus.upload(blob, options) creates an upload (POST), asks where it stands (HEAD)
 * and sends the rest in 1 MiB chunks (PATCH), retrying with backoff. The upload's URL and
 * token are handed to options.onState so the caller can keep them (in IndexedDB): a
 * closed tab resumes where it stopped. Where XMLHttpRequest exists (pages, not the service
 * worker) each PATCH reports progress within the chunk. TarinaOutbox keeps stories until
 * they are sent, and the receipts of sent ones until a page has moved them to the list
 * "My stories on this phone". Runs in pages and in the service worker (no window there).
 */
(function () {
  "use strict";
  var CHUNK = 1024 * 1024;
  var VERSION = "1.0.0";

  function NetworkError(message) { this.name = "NetworkError"; this.message = message || "network"; }
  NetworkError.prototype = Object.create(Error.prototype);

  function HttpError(status, detail) { this.name = "HttpError"; this.status = status; this.message = detail || ("HTTP " + status); }
  HttpError.prototype = Object.create(Error.prototype);

  function b64(text) {
    var bytes = new TextEncoder().encode(String(text));
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin);
  }
  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  var scope = typeof window !== "undefined" ? window : self;

  // A PATCH through XMLHttpRequest, for its upload progress; answers like fetch's Response.
  function sendWithProgress(url, headers, body, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("PATCH", url);
      xhr.withCredentials = true;
      Object.keys(headers).forEach(function (key) { xhr.setRequestHeader(key, headers[key]); });
      xhr.upload.onprogress = function (e) { onProgress(e.loaded); };
      xhr.onload = function () {
        resolve({ status: xhr.status, ok: xhr.status >= 200 && xhr.status < 300,
                  headers: { get: function (name) { return xhr.getResponseHeader(name); } },
                  json: function () { return Promise.resolve().then(function () { return JSON.parse(xhr.responseText); }); } });
      };
      xhr.onerror = xhr.onabort = xhr.ontimeout = function () { reject(new NetworkError("network")); };
      xhr.send(body);
    });
  }

  function send(method, url, headers, body) {
    return fetch(url, { method: method, headers: headers, body: body, credentials: "same-origin", cache: "no-store" })
      .catch(function (error) { throw new NetworkError(error && error.message); });
  }

  function failure(response) {
    return response.json().then(function (data) { return data && data.detail; }, function () { return ""; })
      .then(function (detail) {
        if (response.status >= 500) return new NetworkError("server " + response.status);
        return new HttpError(response.status, detail);
      });
  }

  async function upload(blob, options) {
    var state = options.state || {};
    var base = { "Tus-Resumable": VERSION };
    if (options.csrf) base["X-CSRFToken"] = options.csrf;
    var retries = options.retries == null ? 4 : options.retries;
    var attempt = 0;
    var progress = options.onProgress || function () {};
    for (;;) {
      try {
        if (!state.url) {
          var metadata = Object.keys(options.metadata || {}).map(function (key) {
            return key + " " + b64(options.metadata[key]);
          }).join(",");
          var created = await send("POST", options.endpoint, Object.assign({
            "Upload-Length": String(blob.size), "Upload-Metadata": metadata }, base));
          if (created.status !== 201) throw await failure(created);
          state = { url: new URL(created.headers.get("Location"), scope.location.href).href,
                    token: created.headers.get("Upload-Token") || "" };
          if (options.onState) await options.onState(state);
        }
        var headers = Object.assign({}, base);
        if (state.token) headers["Upload-Token"] = state.token;
        var head = await send("HEAD", state.url, headers);
        if (head.status === 404 || head.status === 410) {  // expired or gone: start again
          state = {};
          if (options.onState) await options.onState(state);
          continue;
        }
        if (!head.ok) throw await failure(head);
        var offset = parseInt(head.headers.get("Upload-Offset") || "0", 10);
        progress(offset, blob.size);
        while (offset < blob.size) {
          var chunk = blob.slice(offset, offset + CHUNK);
          var patchHeaders = Object.assign({
            "Content-Type": "application/offset+octet-stream", "Upload-Offset": String(offset) }, headers);
          var start = offset;
          var patched = typeof XMLHttpRequest !== "undefined"
            ? await sendWithProgress(state.url, patchHeaders, chunk, function (sent) { progress(start + sent, blob.size); })
            : await send("PATCH", state.url, patchHeaders, chunk);
          if (patched.status === 409 && patched.headers.get("Upload-Offset")) {
            offset = parseInt(patched.headers.get("Upload-Offset"), 10);
            continue;
          }
          if (patched.status !== 204) throw await failure(patched);
          offset = parseInt(patched.headers.get("Upload-Offset"), 10);
          attempt = 0;
          progress(offset, blob.size);
        }
        return state;
      } catch (error) {
        if (!(error instanceof NetworkError)) throw error;
        attempt += 1;
        if (attempt > retries || scope.navigator.onLine === false) throw error;
        if (options.onRetry) options.onRetry(attempt);
        await sleep(Math.min(1000 * Math.pow(2, attempt - 1), 15000));
      }
    }
  }

  function uploadId(state) { return state.url.replace(/\/+$/, "").split("/").pop(); }

  // --- The outbox: stories (and their files) waiting to be sent, in IndexedDB --------
  var DB = "tarina", STORE = "outbox", RECEIVED = "received";
  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 2);
      request.onupgradeneeded = function () {
        var db = request.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: "id" });
        if (!db.objectStoreNames.contains(RECEIVED)) db.createObjectStore(RECEIVED, { keyPath: "receipt" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function run(mode, work, stores) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(stores || STORE, mode);
        var request = work(stores ? tx : tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(request ? request.result : undefined); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }
  var outbox = {
    put: function (item) { return run("readwrite", function (s) { return s.put(item); }); },
    all: function () { return run("readonly", function (s) { return s.getAll(); }); },
    remove: function (id) { return run("readwrite", function (s) { return s.delete(id); }); },
    // A sent story leaves the outbox and its receipt arrives, in one transaction: a
    // receipt is never lost between the two, whichever page or worker sent it.
    deliver: function (id, entry) {
      return run("readwrite", function (tx) {
        tx.objectStore(STORE).delete(id);
        tx.objectStore(RECEIVED).put(entry);
      }, [STORE, RECEIVED]);
    },
    // Receipts waiting for a page to list them; each is dropped only once it is listed.
    received: function () {
      return run("readonly", function (tx) { return tx.objectStore(RECEIVED).getAll(); }, [RECEIVED]);
    },
    listed: function (receipt) {
      return run("readwrite", function (tx) { tx.objectStore(RECEIVED).delete(receipt); }, [RECEIVED]);
    },
  };

  scope.TarinaTus = { upload: upload, uploadId: uploadId, NetworkError: NetworkError, HttpError: HttpError, CHUNK: CHUNK };
  scope.TarinaOutbox = outbox;
})();
