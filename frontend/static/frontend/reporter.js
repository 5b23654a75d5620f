/* The reporter's story form, enhanced: recording with a level meter, resumable uploads,
 * an offline outbox and a receipt screen. Without this script the form posts as is. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-story-form]");
  if (!form || !window.TarinaTus || !window.indexedDB || !window.fetch) return;
  var S = {};
  try { S = JSON.parse(document.getElementById("tarina-strings").textContent); } catch (e) { /* English */ }
  var Tus = window.TarinaTus, Outbox = window.TarinaOutbox;
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var fileInput = $("[data-file]", form);
  var submitButton = $("button[type=submit]", form);
  var progressBox = $("[data-progress]", form), progressLabel = $("[data-progress-label]", form),
      progressBar = $("[data-progress-bar]", form), queuedBox = $("[data-queued]", form);
  var panel = $("[data-receipt-panel]");
  var recorderSupported = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);
  var flushing = false;

  function csrf() { var i = $("input[name=csrfmiddlewaretoken]"); return i ? i.value : ""; }
  function newId() { return window.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(16).slice(2); }
  function part(name) { return $('[data-part="' + name + '"]', form); }
  function kind() { var c = $("input[name=kind]:checked", form); return c ? c.value : "text"; }

  // --- Which parts of the form each kind needs -------------------------------------
  var ACCEPT = { audio: "audio/*", video: "video/*", photo: "image/*" };
  function showParts() {
    var k = kind();
    part("file").hidden = k === "text";
    part("recorder").hidden = !(k === "audio" && recorderSupported);
    fileInput.accept = ACCEPT[k] || "audio/*,video/*,image/*";
    if (k === "photo") fileInput.setAttribute("capture", "environment");
    else if (k === "video") fileInput.setAttribute("capture", "user");
    else fileInput.removeAttribute("capture");
  }
  form.addEventListener("change", function (e) { if (e.target.name === "kind") showParts(); });
  showParts();

  // --- Recorder ------------------------------------------------------------------------
  var rec = { stream: null, media: null, chunks: [], blob: null, elapsed: 0, last: 0, timer: null, ctx: null, raf: 0 };
  var btnStart = $("[data-rec-start]", form), btnPause = $("[data-rec-pause]", form),
      btnStop = $("[data-rec-stop]", form), btnAgain = $("[data-rec-again]", form),
      level = $("[data-level]", form), timer = $("[data-timer]", form),
      playback = $("[data-playback]", form), recMessage = $("[data-rec-message]", form);

  function clock(seconds) { var s = Math.floor(seconds); return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0"); }
  function tick() {
    if (rec.media && rec.media.state === "recording") { var now = Date.now(); rec.elapsed += (now - rec.last) / 1000; rec.last = now; }
    timer.textContent = clock(rec.elapsed);
  }
  function meter(stream) {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      rec.ctx = new Ctx();
      var analyser = rec.ctx.createAnalyser();
      analyser.fftSize = 512;
      rec.ctx.createMediaStreamSource(stream).connect(analyser);
      var data = new Uint8Array(analyser.fftSize);
      var draw = function () {
        analyser.getByteTimeDomainData(data);
        var sum = 0;
        for (var i = 0; i < data.length; i++) { var v = (data[i] - 128) / 128; sum += v * v; }
        level.style.width = Math.min(100, Math.sqrt(sum / data.length) * 400) + "%";
        rec.raf = requestAnimationFrame(draw);
      };
      draw();
    } catch (e) { /* no meter, recording still works */ }
  }
  function release() {
    cancelAnimationFrame(rec.raf); level.style.width = "0";
    if (rec.ctx) { rec.ctx.close().catch(function () {}); rec.ctx = null; }
    if (rec.stream) { rec.stream.getTracks().forEach(function (t) { t.stop(); }); rec.stream = null; }
    clearInterval(rec.timer);
  }
  function startRecording() {
    recMessage.textContent = "";
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      rec.stream = stream; rec.chunks = []; rec.blob = null; rec.elapsed = 0; rec.last = Date.now();
      rec.media = new MediaRecorder(stream);
      rec.media.ondataavailable = function (e) { if (e.data && e.data.size) rec.chunks.push(e.data); };
      rec.media.onstop = function () {
        rec.blob = new Blob(rec.chunks, { type: rec.media.mimeType || "audio/webm" });
        playback.src = URL.createObjectURL(rec.blob); playback.hidden = false;
        btnAgain.hidden = false; btnStart.hidden = true;
        btnPause.disabled = btnStop.disabled = true;
        release(); tick();
      };
      rec.media.start(1000);
      meter(stream);
      rec.timer = setInterval(tick, 250);
      btnStart.disabled = true; btnPause.disabled = btnStop.disabled = false; playback.hidden = true;
      btnPause.textContent = S.pause || "Pause";
    }, function () { recMessage.textContent = S.nomic || "The microphone cannot be used."; });
  }
  if (recorderSupported) {
    btnStart.addEventListener("click", startRecording);
    btnPause.addEventListener("click", function () {
      if (!rec.media) return;
      if (rec.media.state === "recording") { tick(); rec.media.pause(); btnPause.textContent = S.resume || "Resume"; }
      else if (rec.media.state === "paused") { rec.last = Date.now(); rec.media.resume(); btnPause.textContent = S.pause || "Pause"; }
    });
    btnStop.addEventListener("click", function () { if (rec.media && rec.media.state !== "inactive") { tick(); rec.media.stop(); } });
    btnAgain.addEventListener("click", function () {
      rec.blob = null; playback.hidden = true; playback.removeAttribute("src");
      btnAgain.hidden = true; btnStart.hidden = false; btnStart.disabled = false; rec.elapsed = 0; tick();
      startRecording();
    });
  }

  // --- Progress and messages --------------------------------------------------------
  function progress(label, percent) {
    progressBox.hidden = false; progressLabel.textContent = label;
    if (percent == null) progressBar.removeAttribute("value"); else progressBar.value = percent;
  }
  function showQueued() {
    queuedBox.hidden = false; queuedBox.textContent = S.queued || "Queued.";
    progressBox.hidden = true;
  }
  function showFailure(error) {
    progressBox.hidden = true; submitButton.disabled = false;
    var box = $("#form-errors") || document.createElement("div");
    box.id = "form-errors"; box.className = "errors"; box.setAttribute("role", "alert");
    box.textContent = (S.failed || "Your story could not be sent:") + " " + error.message;
    if (!box.parentNode) form.parentNode.insertBefore(box, form);
    box.scrollIntoView({ block: "center" });
  }

  // --- Receipt screen -------------------------------------------------------------------
  function showReceipt(receipt) {
    form.hidden = true;
    var old = $("#form-errors"); if (old) old.remove();
    panel.hidden = false;
    $("[data-receipt-code]", panel).textContent = receipt;
    $("[data-receipt-link]", panel).href = "/r/#" + encodeURIComponent(receipt);
    var body = new FormData(); body.append("receipt", receipt);
    fetch("/receipt-qr/", { method: "POST", body: body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (svg) { if (svg.indexOf("<svg") === 0) $("[data-receipt-qr]", panel).innerHTML = svg; })  // our own server's SVG
      .catch(function () {});
    panel.scrollIntoView({ block: "start" });
    poll(receipt);
  }
  function poll(receipt) {
    var label = $("[data-status-label]", panel), bar = $("[data-status-bar]", panel), rounds = 0;
    var loop = function () {
      // The receipt goes in the body: a URL would write it into access logs.
      fetch("/api/v1/receipts/lookup/", {
        method: "POST", body: JSON.stringify({ receipt: receipt }), credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() }
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d) return true;
          var words = (S.statuses && S.statuses[d.status]) || d.status;
          label.textContent = words + " (" + d.processing_percent + "%)";
          bar.value = d.processing_percent;
          return d.status === "submitted" || d.status === "processing";
        }, function () { return true; })
        .then(function (again) { if (again && ++rounds < 200) setTimeout(loop, 3000); });
    };
    loop();
  }

  // --- Sending: everything goes through the outbox ----------------------------------
  async function send(item) {
    progress(S.sending || "Sending…", null);
    var body = Object.assign({}, item.payload);
    var headers = { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() };
    if (item.blob) {
      var state = await Tus.upload(item.blob, {
        endpoint: "/api/v1/uploads/",
        metadata: { filename: item.filename || "story", filetype: item.type || "application/octet-stream", drive: item.payload.drive },
        csrf: csrf(),
        state: item.upload,
        onState: function (s) { item.upload = s; return Outbox.put(item); },
        onProgress: function (done, total) { progress(S.uploading || "Uploading", total ? Math.round(100 * done / total) : 100); },
        onRetry: function () { progress(S.retrying || "Trying again…", null); },
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
    if (response.status !== 201) throw new Tus.HttpError(response.status, window.tarinaDescribe(data));
    return data.receipt;
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      var items = (await Outbox.all()).sort(function (a, b) { return a.created - b.created; });
      for (var i = 0; i < items.length; i++) {
        var item = items[i];
        try {
          var receipt = await send(item);
          await Outbox.remove(item.id);
          queuedBox.hidden = true;
          showReceipt(receipt);
        } catch (error) {
          if (error instanceof Tus.NetworkError) { showQueued(); break; }
          await Outbox.remove(item.id);  // refused: say why, the form still holds the story
          showFailure(error);
        }
      }
    } finally { flushing = false; }
  }

  function extension(type) {
    if (type.indexOf("ogg") >= 0) return "ogg";
    if (type.indexOf("mp4") >= 0) return "m4a";
    return "webm";
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (!form.reportValidity()) return;
    var k = kind(), blob = null, filename = "", type = "";
    if (k !== "text") {
      if (k === "audio" && rec.blob) { blob = rec.blob; type = rec.blob.type; filename = "recording." + extension(type); }
      else if (fileInput.files && fileInput.files[0]) { blob = fileInput.files[0]; filename = blob.name; type = blob.type; }
      else { showFailure(new Error(S.needfile || "Record something or choose a file first.")); return; }
    }
    var field = function (name) { var el = form.elements[name]; return el ? el.value : ""; };
    var consent = {};
    form.querySelectorAll("input[name^=consent_]").forEach(function (box) { consent[box.name.slice(8)] = box.checked; });
    var themes = [];
    form.querySelectorAll("input[name=themes]:checked").forEach(function (box) { themes.push(box.value); });
    var item = {
      id: newId(), created: Date.now(), blob: blob, filename: filename, type: type, upload: null,
      payload: { drive: form.dataset.drive, kind: k, title: field("title"), text: field("text"),
                 language: field("language"), place: field("place"), consent: consent, themes: themes },
    };
    submitButton.disabled = true;
    try { await Outbox.put(item); }
    catch (e) { submitButton.disabled = false; form.submit(); return; }  // no IndexedDB: plain post
    flush();
  });

  window.addEventListener("online", flush);
  // Stories left from an earlier visit (a closed tab, a lost connection) are sent now.
  Outbox.all().then(function (items) { if (items.length) { if (navigator.onLine) flush(); else showQueued(); } });
  setInterval(function () { if (navigator.onLine && !flushing) Outbox.all().then(function (items) { if (items.length) flush(); }); }, 20000);
})();
