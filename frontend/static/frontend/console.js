/* Curator console: player synchronised with the transcript, and forms that call the API. */
(function () {
  "use strict";
  function csrf() { var i = document.querySelector("input[name=csrfmiddlewaretoken]"); return i ? i.value : ""; }
  var message = document.querySelector("[data-message]");
  // The page carries its words in the curator's language (data-saved, data-offline, ...).
  function phrase(key, fallback) { return (message && message.dataset[key]) || fallback; }
  function say(text, isError) {
    if (!message) return;
    message.textContent = text;
    message.classList.toggle("error", !!isError);
  }

  // --- The player and the transcript's words ------------------------------------------
  // Each word carries its time in the recording (data-start/end) and its place in the
  // transcript as corrected (data-char-start/end): what is selected is hidden, tagged or
  // corrected in that text, and the recording follows on the server.
  var player = document.querySelector("[data-player]");
  var words = Array.prototype.slice.call(document.querySelectorAll(".words .w"));
  var seek = function () {};
  if (player && words.length) {
    var times = words.map(function (w) { return [parseFloat(w.dataset.start), parseFloat(w.dataset.end)]; });
    var current = null;
    var mark = function () {
      var t = player.currentTime, found = -1, lo = 0, hi = times.length - 1;
      while (lo <= hi) {  // the last word that started at or before t
        var mid = (lo + hi) >> 1;
        if (times[mid][0] <= t + 0.001) { found = mid; lo = mid + 1; } else hi = mid - 1;
      }
      var word = found >= 0 && t <= times[found][1] + 0.25 ? words[found] : null;
      if (word !== current) {
        if (current) current.classList.remove("current");
        if (word) word.classList.add("current");
        current = word;
      }
    };
    seek = function (word) { player.currentTime = parseFloat(word.dataset.start); mark(); };
    player.addEventListener("timeupdate", mark);
    player.addEventListener("seeked", mark);
  }

  // --- Selecting a run of words: hide it, tag a theme with it, or correct it -------------
  // Other parts of the page (clips) listen for "tarina:wordselection": its detail is the
  // run's times, text and word indexes, or null once the selection is cleared.
  var tools = document.querySelector("[data-word-tools]");
  var selected = null, anchor = null;
  var transcriptText = function () {
    var area = document.querySelector("[data-transcript-text]");
    return area ? area.defaultValue : "";
  };
  function selectWords(first, last) {
    if (first > last) { var swap = first; first = last; last = swap; }
    var text = transcriptText();
    var charStart = parseInt(words[first].dataset.charStart, 10), charEnd = parseInt(words[last].dataset.charEnd, 10);
    selected = {
      start: parseFloat(words[first].dataset.start), end: parseFloat(words[last].dataset.end),
      text: text ? text.slice(charStart, charEnd) : words.slice(first, last + 1).map(function (w) { return w.textContent; }).join(" "),
      first: first, last: last, char_start: charStart, char_end: charEnd
    };
    words.forEach(function (w, i) { w.classList.toggle("selected", i >= first && i <= last); });
    if (tools) {
      tools.hidden = false;
      tools.querySelector("[data-word-selection]").textContent = selected.text;
      tools.querySelectorAll("[data-from-selection]").forEach(function (input) { input.value = String(selected[input.dataset.fromSelection]); });
      var replacement = tools.querySelector("[data-replacement]");
      if (replacement) replacement.value = selected.text;
    }
    document.dispatchEvent(new CustomEvent("tarina:wordselection", {
      detail: { start: selected.start, end: selected.end, text: selected.text, first: first, last: last }
    }));
  }
  function clearWords() {
    if (!selected) return;
    selected = null;
    anchor = null;
    words.forEach(function (w) { w.classList.remove("selected"); });
    if (tools) tools.hidden = true;
    document.dispatchEvent(new CustomEvent("tarina:wordselection", { detail: null }));
  }
  words.forEach(function (word, index) {
    var pick = function (extend) {
      if (extend && anchor !== null) { selectWords(anchor, index); return; }
      anchor = index;
      seek(word);
      selectWords(index, index);
    };
    word.addEventListener("click", function (e) { if (!window.getSelection().isCollapsed) return; pick(e.shiftKey); });
    word.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(e.shiftKey); }
    });
  });
  // A drag across words selects them whole: half a name would stay in the text and the sound.
  var wordsBox = document.querySelector("[data-words]");
  if (wordsBox) {
    var dragFrom = null;
    var indexOf = function (node) {
      var word = node && node.closest ? node.closest(".w") : null;
      return word ? words.indexOf(word) : -1;
    };
    wordsBox.addEventListener("mousedown", function (e) { var i = indexOf(e.target); dragFrom = i >= 0 ? i : null; });
    wordsBox.addEventListener("mouseup", function (e) {
      var from = dragFrom, to = indexOf(e.target);
      dragFrom = null;
      var selection = window.getSelection();
      if (selection && !selection.isCollapsed && selection.rangeCount) {
        var range = selection.getRangeAt(0);
        var hit = words.map(function (w, i) { return range.intersectsNode(w) ? i : -1; }).filter(function (i) { return i >= 0; });
        selection.removeAllRanges();
        if (hit.length) { anchor = hit[0]; selectWords(hit[0], hit[hit.length - 1]); return; }
      }
      if (from !== null && to >= 0 && to !== from) { anchor = from; selectWords(from, to); }
    });
  }
  var clear = document.querySelector("[data-clear-selection]");
  if (clear) clear.addEventListener("click", clearWords);
  // Correcting in place: the selected words are replaced in the transcript as it is now.
  var correct = document.querySelector('[data-word-form="correct"]');
  if (correct) {
    correct.addEventListener("submit", function () {
      var text = transcriptText(), replacement = correct.querySelector("[data-replacement]").value;
      correct.querySelector("[data-corrected-text]").value = selected ? text.slice(0, selected.char_start) + replacement + text.slice(selected.char_end) : text;
    });
  }

  // --- Keyboard shortcuts (listed on the page); never while typing in a field ------------
  var typing = function (el) {
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  };
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && selected) { clearWords(); return; }
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    var key = e.key.toLowerCase();
    if (key === "k" && player) {
      e.preventDefault();
      if (player.paused) { var playing = player.play(); if (playing) playing.catch(function () {}); } else player.pause();
    } else if (key === "n") {
      var next = document.querySelector("[data-next-story]");
      if (next) { e.preventDefault(); location.href = next.href; }
    } else if (key === "a") {
      var approve = document.querySelector('[data-shortcut="approve"]');
      if (approve) { e.preventDefault(); approve.requestSubmit(); }
    } else if (key === "r") {
      // Rejecting needs a reason the reporter reads: the shortcut takes you to it.
      var reason = document.querySelector('[data-shortcut="reject"] textarea');
      if (reason) { e.preventDefault(); reason.focus(); reason.scrollIntoView({ block: "center" }); }
    }
  });

  // --- Forms that call the API (JSON, session cookie, CSRF token) ------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target, url = form.dataset.api, template = form.dataset.apiTemplate;
    if (!url && !template) return;
    event.preventDefault();
    var body = {};
    form.querySelectorAll("input, select, textarea").forEach(function (el) {
      if (!el.name || el.hasAttribute("data-url-param") || el.hasAttribute("data-skip")) return;
      var type = el.dataset.type;
      if (el.type === "checkbox") {
        if (type === "bool") body[el.name] = el.checked;
        else if (type === "list") { body[el.name] = body[el.name] || []; if (el.checked) body[el.name].push(el.value); }
        else if (el.checked) body[el.name] = el.value;
        return;
      }
      var value = el.value;
      if (type === "bool") value = value === "true";
      else if (type === "int") value = parseInt(value, 10);
      else if (type === "float") value = parseFloat(value);
      // "evidence.text" goes into body.evidence.text: nested objects from flat fields.
      var dot = el.name.indexOf(".");
      if (dot > 0) {
        var outer = el.name.slice(0, dot);
        body[outer] = body[outer] || {};
        body[outer][el.name.slice(dot + 1)] = value;
      } else body[el.name] = value;
    });
    var submitter = event.submitter;
    if (submitter && submitter.name) body[submitter.name] = submitter.value;
    if (template) {
      var param = form.querySelector("[data-url-param]");
      url = template.replace("{id}", encodeURIComponent(param.value));
    }
    var method = form.dataset.method || "POST";
    var options = { method: method, credentials: "same-origin", headers: { "X-CSRFToken": csrf(), "Accept": "application/json" } };
    if (method !== "DELETE") { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    say("…");
    fetch(url, options).then(function (response) {
      if (response.ok) {
        say(phrase("saved", "Saved."));
        if (form.hasAttribute("data-reload")) location.reload();
        return;
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        say(window.tarinaDescribe(data) || phrase("error", "Error") + " " + response.status, true);
      });
    }, function () { say(phrase("offline", "No connection."), true); });
  });

  // --- The picture: regions to blur, by dragging or by numbers, and "I have looked" ---------
  var picture = document.querySelector("[data-picture]");
  function send(url, method, body) {
    say("…");
    return fetch(url, {
      method: method, credentials: "same-origin", body: JSON.stringify(body),
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json", "Content-Type": "application/json" }
    }).then(function (response) {
      if (response.ok) { say(phrase("saved", "Saved.")); location.reload(); return; }
      return response.json().catch(function () { return {}; }).then(function (data) {
        say(window.tarinaDescribe(data) || phrase("error", "Error") + " " + response.status, true);
      });
    }, function () { say(phrase("offline", "No connection."), true); });
  }
  if (picture) {
    var list = picture.querySelector("[data-box-list]");
    var boxes = list ? JSON.parse(list.dataset.boxes || "[]") : [];
    var saveBoxes = function (next) { return send(picture.dataset.boxesUrl, "PUT", { boxes: next }); };
    var round = function (v) { return Math.round(v * 10000) / 10000; };
    // A box as fractions of the picture, clipped to it, from two corners in fractions.
    var boxOf = function (x0, y0, x1, y1) {
      var clip = function (v) { return Math.min(1, Math.max(0, v)); };
      var left = clip(Math.min(x0, x1)), top = clip(Math.min(y0, y1));
      return { x: round(left), y: round(top), width: round(clip(Math.max(x0, x1)) - left), height: round(clip(Math.max(y0, y1)) - top) };
    };
    if (list) {
      boxes.forEach(function (box, index) {
        var item = document.createElement("li");
        item.textContent = ["x", "y", "width", "height"].map(function (k) { return k + " " + (box[k] * 100).toFixed(1) + "%"; }).join(", ") + " ";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = list.dataset.remove || "Remove";
        remove.addEventListener("click", function () { saveBoxes(boxes.filter(function (_, i) { return i !== index; })); });
        item.appendChild(remove);
        list.appendChild(item);
      });
    }
    var form = picture.querySelector("[data-box-form]");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var v = function (name) { return parseFloat(form.elements[name].value) / 100; };
        saveBoxes(boxes.concat([{ x: v("x"), y: v("y"), width: v("width"), height: v("height") }]));
      });
    }
    var stage = picture.querySelector("[data-stage]");
    if (stage) {
      var start = null, outline = null;
      var at = function (event) {
        var r = stage.getBoundingClientRect();
        return [(event.clientX - r.left) / r.width, (event.clientY - r.top) / r.height];
      };
      stage.addEventListener("pointerdown", function (event) {
        event.preventDefault();
        start = at(event);
        outline = document.createElement("div");
        outline.className = "picture-outline";
        stage.appendChild(outline);
        stage.setPointerCapture(event.pointerId);
      });
      stage.addEventListener("pointermove", function (event) {
        if (!start) return;
        var now = at(event), box = boxOf(start[0], start[1], now[0], now[1]);
        outline.style.left = box.x * 100 + "%"; outline.style.top = box.y * 100 + "%";
        outline.style.width = box.width * 100 + "%"; outline.style.height = box.height * 100 + "%";
      });
      stage.addEventListener("pointerup", function (event) {
        if (!start) return;
        var now = at(event), box = boxOf(start[0], start[1], now[0], now[1]);
        start = null;
        // A click is not a region: only a drag of a few pixels marks one.
        if (box.width * stage.clientWidth < 4 || box.height * stage.clientHeight < 4) { outline.remove(); return; }
        saveBoxes(boxes.concat([box]));
      });
    }
    var confirmSeen = picture.querySelector("[data-confirm-seen]");
    if (confirmSeen) {
      confirmSeen.addEventListener("click", function () {
        send(picture.dataset.seenUrl, "POST", { fingerprint: picture.dataset.fingerprint });
      });
    }
  }

  // --- Preview -------------------------------------------------------------------------------
  var previewButton = document.querySelector("[data-preview]");
  if (previewButton) {
    previewButton.addEventListener("click", function () {
      fetch(previewButton.dataset.preview, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (d) {
          var out = document.querySelector("[data-preview-out]");
          var set = function (key, value) { out.querySelector('[data-pv="' + key + '"]').textContent = value == null ? "" : String(value); };
          out.hidden = false;
          set("title", d.title); set("text", d.text);
          var yes = out.dataset.yes || "yes", no = out.dataset.no || "no";
          set("audio", d.audio ? yes + (d.redacted_ranges && d.redacted_ranges.length ? " (" + d.redacted_ranges.length + " " + (out.dataset.redacted || "redacted") + ")" : "") : no);
          set("image", d.image === "face shown" ? (out.dataset.face || d.image) : d.image === "anonymised" ? (out.dataset.anonymised || d.image) : no); var names = JSON.parse(out.dataset.themeNames || "{}");
          set("themes", (d.themes || []).map(function (slug) { return names[slug] || slug; }).join(", "));
          // The player gets the audio exactly as it would be published, built on request.
          var player = out.querySelector("[data-pv-player]");
          player.hidden = !d.audio;
          if (d.audio) { player.src = previewButton.dataset.previewAudio + "?at=" + Date.now(); }
          var reason = out.querySelector('[data-pv="reason"]');
          reason.hidden = !d.reason; reason.textContent = d.reason || "";
          // The last time publishing listened to the anonymised audio, and what it heard.
          var check = out.querySelector('[data-pv="check"]'), c = d.release_check;
          check.hidden = !c;
          if (c) {
            var names = (check.dataset.states || "").split("|");
            var state = { passed: names[0], refused: names[1], outdated: names[2], not_checked: names[3] }[c.state] || c.state;
            check.textContent = (check.dataset.label || "") + " " + state + (c.reason ? " — " + c.reason : "");
            check.classList.toggle("error", c.state === "refused");
          }
        }, function () { say(phrase("offline", "No connection."), true); });
    });
  }
})();
