/* The reporter's story form, enhanced: record-first Speak mode with a level meter, a draft
 * kept on the phone, resumable uploads through the outbox (app.js sends it) and a receipt
 * screen. Without this script the form posts as is. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-story-form]");
  if (!form || !window.TarinaTus || !window.TarinaApp || !window.indexedDB || !window.fetch) return;
  var S = {};
  try { S = JSON.parse(document.getElementById("tarina-strings").textContent); } catch (e) { /* English */ }
  var Outbox = window.TarinaOutbox, App = window.TarinaApp;
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var fileInput = $("[data-file]", form);
  var submitButton = $("button[type=submit]", form);
  var progressBox = $("[data-progress]", form), progressLabel = $("[data-progress-label]", form),
      progressBar = $("[data-progress-bar]", form), queuedBox = $("[data-queued]", form);
  var panel = $("[data-receipt-panel]");
  var recorderSupported = !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia && window.MediaRecorder);
  // Facilitator mode (facilitator.js): one storyteller after another, slips instead of a receipt screen.
  var facilitator = form.hasAttribute("data-facilitator");
  var DRAFT = "tarina-draft:" + form.dataset.drive + (facilitator ? ":facilitator" : ""),
      SHOWN = "tarina-receipt-screen:" + form.dataset.drive;

  function csrf() { var i = $("input[name=csrfmiddlewaretoken]"); return i ? i.value : ""; }
  function newId() { return window.crypto && crypto.randomUUID ? crypto.randomUUID() : Date.now() + "-" + Math.random().toString(16).slice(2); }
  function part(name) { return $('[data-part="' + name + '"]', form); }
  function kind() { var c = $("input[name=kind]:checked", form); return c ? c.value : "text"; }

  // --- Which parts of the form each kind needs -------------------------------------
  var ACCEPT = { audio: "audio/*", video: "video/*", photo: "image/*" };
  function showParts() {
    var k = kind();
    part("file").hidden = k === "text";
    // Speak is record-first: the recorder sits right under the choice.
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
      playback = $("[data-playback]", form), recMessage = $("[data-rec-message]", form),
      recState = $("[data-rec-state]", form);

  // "Recording…" / "Paused" / "Recorded" beside the length; read out only when it changes.
  function sayState(key) { recState.textContent = key ? (S[key] || key) : ""; recState.setAttribute("data-state", key || ""); }

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
        release(); tick(); sayState("recorded");
        btnAgain.focus();  // the control that was pressed is gone: focus stays on the recorder
      };
      rec.media.start(1000);
      meter(stream);
      rec.timer = setInterval(tick, 250);
      btnStart.disabled = true; btnPause.disabled = btnStop.disabled = false; playback.hidden = true;
      btnPause.textContent = S.pause || "Pause";
      sayState("recording");
      btnStop.focus();  // Record is disabled now; keyboard focus must not fall to the page
    }, function () { recMessage.textContent = S.nomic || "The microphone cannot be used."; });
  }
  if (recorderSupported) {
    btnStart.addEventListener("click", startRecording);
    btnPause.addEventListener("click", function () {
      if (!rec.media) return;
      if (rec.media.state === "recording") { tick(); rec.media.pause(); btnPause.textContent = S.resume || "Resume"; sayState("paused"); }
      else if (rec.media.state === "paused") { rec.last = Date.now(); rec.media.resume(); btnPause.textContent = S.pause || "Pause"; sayState("recording"); }
    });
    btnStop.addEventListener("click", function () { if (rec.media && rec.media.state !== "inactive") { tick(); rec.media.stop(); } });
    btnAgain.addEventListener("click", function () {
      rec.blob = null; playback.hidden = true; playback.removeAttribute("src");
      btnAgain.hidden = true; btnStart.hidden = false; btnStart.disabled = false; rec.elapsed = 0; tick();
      sayState(""); btnStart.focus();
      startRecording();
    });
  }


  // --- The draft: kept on this phone while it is written ---------------------------------
  var DRAFT_FIELDS = ["title", "text", "place"];
  function draftNow() {
    var draft = { kind: kind(), consent: {}, themes: [] };
    DRAFT_FIELDS.forEach(function (name) { var el = form.elements[name]; draft[name] = el ? el.value : ""; });
    form.querySelectorAll("input[name^=consent_]").forEach(function (box) { draft.consent[box.name] = box.checked; });
    form.querySelectorAll("input[name=themes]:checked").forEach(function (box) { draft.themes.push(box.value); });
    return draft;
  }
  function hasWords() { return DRAFT_FIELDS.some(function (name) { var el = form.elements[name]; return el && el.value.trim(); }); }
  function saveDraft() {
    try { if (hasWords()) localStorage.setItem(DRAFT, JSON.stringify(draftNow())); else localStorage.removeItem(DRAFT); }
    catch (e) { /* storage full or off: the page still holds it */ }
  }
  function restoreDraft() {
    var draft;
    try { draft = JSON.parse(localStorage.getItem(DRAFT) || "null"); } catch (e) { draft = null; }
    if (!draft || hasWords()) return;  // the server's copy (a form sent back with errors) wins
    DRAFT_FIELDS.forEach(function (name) { var el = form.elements[name]; if (el && draft[name]) el.value = draft[name]; });
    var choice = form.querySelector('input[name=kind][value="' + draft.kind + '"]');
    if (choice) choice.checked = true;
    form.querySelectorAll("input[name^=consent_]").forEach(function (box) {
      if (box.name in (draft.consent || {})) box.checked = !!draft.consent[box.name];
    });
    form.querySelectorAll("input[name=themes]").forEach(function (box) { box.checked = (draft.themes || []).indexOf(box.value) >= 0; });
    showParts();
  }
  function clearDraft() { try { localStorage.removeItem(DRAFT); } catch (e) { /* nothing kept */ } }
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);
  restoreDraft();

  // Leaving with words or a recording that were not sent: the browser asks first. A
  // language switch keeps the words (they are on the phone), but not a recording.
  function recordingAtRisk() { return !!(rec.blob || (rec.media && rec.media.state !== "inactive")); }
  window.addEventListener("beforeunload", function (event) {
    if (recordingAtRisk() || (hasWords() && !window.tarinaLanguageSwitch)) {
      event.preventDefault();
      event.returnValue = "";
    }
    window.tarinaLanguageSwitch = false;
  });

  // --- Progress and messages --------------------------------------------------------
  function progress(label, percent) {
    progressBox.hidden = false; progressLabel.textContent = label;
    if (percent == null) progressBar.removeAttribute("value"); else progressBar.value = percent;
  }
  function showQueued() {
    queuedBox.hidden = false; queuedBox.textContent = S.queued || "Queued.";
    progressBox.hidden = true;
    submitButton.disabled = false;
  }
  function showFailure(error) {
    progressBox.hidden = true; submitButton.disabled = false;
    var box = $("#form-errors") || document.createElement("div");
    box.id = "form-errors"; box.className = "errors"; box.setAttribute("role", "alert");
    box.textContent = (S.failed || "Your story could not be sent:") + " " + error.message;
    if (!box.parentNode) form.parentNode.insertBefore(box, form);
    box.scrollIntoView({ block: "center" });
  }
  // A story is safe in the outbox: the form is empty again for the next one.
  function resetForm() {
    form.reset();
    clearDraft();
    rec.blob = null; rec.elapsed = 0; tick(); sayState("");
    playback.hidden = true; playback.removeAttribute("src");
    btnAgain.hidden = true; btnStart.hidden = false; btnStart.disabled = false;
    if (fileInput) fileInput.value = "";
    showParts();
  }

  // --- Receipt screen: the newest receipt; all of them are in "My stories on this phone" --
  function showReceipt(receipt) {
    form.hidden = true;
    var old = $("#form-errors"); if (old) old.remove();
    panel.hidden = false;
    $("[data-receipt-code]", panel).replaceWith(App.receiptCode(receipt));
    $("[data-receipt-link]", panel).href = "/r/#" + encodeURIComponent(receipt);
    try { sessionStorage.setItem(SHOWN, receipt); } catch (e) { /* not kept over a reload */ }
    var body = new FormData(); body.append("receipt", receipt);
    fetch("/receipt-qr/", { method: "POST", body: body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (svg) { if (svg.indexOf("<svg") === 0) $("[data-receipt-qr]", panel).innerHTML = svg; })  // our own server's SVG
      .catch(function () {});
    panel.scrollIntoView({ block: "start" });
    poll(receipt);
  }
  var polling = 0;
  function poll(receipt) {
    var label = $("[data-status-label]", panel), bar = $("[data-status-bar]", panel), rounds = 0, mine = ++polling;
    var loop = function () {
      if (mine !== polling) return;  // a newer receipt is on screen
      // The receipt goes in the body: a URL would write it into access logs.
      fetch("/api/v1/receipts/lookup/", {
        method: "POST", body: JSON.stringify({ receipt: receipt }), credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf() }
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (d) {
          if (!d || mine !== polling) return true;
          var words = (S.statuses && S.statuses[d.status]) || d.status;
          label.textContent = words + " (" + d.processing_percent + "%)";
          bar.value = d.processing_percent;
          return d.status === "submitted" || d.status === "processing";
        }, function () { return true; })
        .then(function (again) { if (again && ++rounds < 200) setTimeout(loop, 3000); });
    };
    loop();
  }
  $("[data-tell-another]", panel).addEventListener("click", function () {
    polling++;
    try { sessionStorage.removeItem(SHOWN); } catch (e) { /* nothing kept */ }
    panel.hidden = true; form.hidden = false; queuedBox.hidden = true; progressBox.hidden = true;
    submitButton.disabled = false;
    resetForm();
    form.querySelector("input[name=kind]:checked").focus();
  });

  // --- Sending: everything goes through the outbox, which app.js sends from any page ------
  document.addEventListener("tarina:progress", function (e) {
    var step = e.detail.step;
    progress(S[step] || step, e.detail.percent);
  });
  document.addEventListener("tarina:queued", showQueued);
  document.addEventListener("tarina:sent", function (e) {
    if (e.detail.drive !== form.dataset.drive) return;  // another drive's: app.js says so
    e.preventDefault();  // this page shows it
    queuedBox.hidden = true; progressBox.hidden = true; submitButton.disabled = false;
    if (!facilitator) showReceipt(e.detail.receipt);  // facilitator.js adds a slip instead
  });
  document.addEventListener("tarina:refused", function (e) {
    e.preventDefault();
    refill(e.detail.item);  // refused: the form gets the story back, and says why
    showFailure(e.detail.error);
  });
  function refill(item) {
    var p = item.payload || {};
    panel.hidden = true; form.hidden = false;
    DRAFT_FIELDS.forEach(function (name) { var el = form.elements[name]; if (el) el.value = p[name] || ""; });
    var choice = form.querySelector('input[name=kind][value="' + p.kind + '"]');
    if (choice) choice.checked = true;
    form.querySelectorAll("input[name^=consent_]").forEach(function (box) { box.checked = !!(p.consent || {})[box.name.slice(8)]; });
    form.querySelectorAll("input[name=themes]").forEach(function (box) { box.checked = (p.themes || []).indexOf(box.value) >= 0; });
    if (item.blob && p.kind === "audio") {
      rec.blob = item.blob; playback.src = URL.createObjectURL(item.blob); playback.hidden = false;
      btnAgain.hidden = false; btnStart.hidden = true;
    }
    showParts(); saveDraft();
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
                 language: field("language"), place: field("place"), consent: consent, themes: themes,
                 answers: window.tarinaAnswers ? window.tarinaAnswers(form) : {} },
    };
    // facilitator.js marks the item (the channel, and on this phone only the storyteller's label).
    form.dispatchEvent(new CustomEvent("tarina:queueing", { detail: item }));
    submitButton.disabled = true;
    try { await Outbox.put(item); }
    catch (e) { submitButton.disabled = false; form.submit(); return; }  // no IndexedDB: plain post
    resetForm();  // the story is safe in the outbox now
    form.dispatchEvent(new CustomEvent("tarina:queued-item", { detail: item }));
    if (navigator.onLine === false) { showQueued(); App.syncLater(); }
    else App.flush();
  });

  // A reload keeps the receipt screen that was showing.
  var shown = null;
  try { shown = sessionStorage.getItem(SHOWN); } catch (e) { /* none */ }
  if (shown && !facilitator) showReceipt(shown);
  else Outbox.all().then(function (items) { if (items.length && navigator.onLine === false) showQueued(); });
})();
