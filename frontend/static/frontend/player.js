// The public story player: the transcript follows the recording word by word.
//
// Without this script the page already works: a native <audio>/<video> with its captions
// and the transcript as plain text. With it, each word becomes a control that plays the
// recording from that word (click, Enter or Space), the arrow keys move between words
// (one tab stop for the whole transcript), and the word being said is highlighted and
// marked aria-current. Hidden words keep their "hidden" label.
(function () {
  "use strict";

  var media = document.querySelector("[data-player]");
  var transcript = document.querySelector("[data-transcript]");
  if (!media || !transcript) return;

  var words = Array.prototype.slice.call(transcript.querySelectorAll(".word"));
  if (!words.length) return;
  var starts = words.map(function (w) { return parseFloat(w.dataset.start); });
  var ends = words.map(function (w) { return parseFloat(w.dataset.end); });
  var current = -1;

  var help = document.getElementById("transcript-help");
  if (help) help.hidden = false;
  transcript.setAttribute("role", "group");
  if (help) transcript.setAttribute("aria-describedby", "transcript-help");

  words.forEach(function (word, i) {
    word.setAttribute("role", "button");
    word.tabIndex = i === 0 ? 0 : -1;
    word.addEventListener("click", function () { seek(i); });
    word.addEventListener("keydown", function (event) {
      var next = null;
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        seek(i);
        return;
      }
      if (event.key === "ArrowRight" || event.key === "ArrowDown") next = i + 1;
      if (event.key === "ArrowLeft" || event.key === "ArrowUp") next = i - 1;
      if (event.key === "Home") next = 0;
      if (event.key === "End") next = words.length - 1;
      if (next === null) return;
      event.preventDefault();
      focusWord(Math.max(0, Math.min(words.length - 1, next)));
    });
  });

  function focusWord(i) {
    words.forEach(function (w, k) { w.tabIndex = k === i ? 0 : -1; });
    words[i].focus();
  }

  function seek(i) {
    media.currentTime = starts[i];
    highlight(i);
    var playing = media.play();
    if (playing && playing.catch) playing.catch(function () { /* a blocked autoplay: stays paused */ });
  }

  // The word being said at time t: the last one started, while it lasts or until the next.
  function wordAt(t) {
    var found = -1;
    for (var i = 0; i < starts.length; i++) {
      if (starts[i] <= t + 0.01) found = i;
      else break;
    }
    if (found >= 0 && t > ends[found] + 0.5 && (found + 1 >= starts.length)) return -1;
    return found;
  }

  function highlight(i) {
    if (i === current) return;
    if (current >= 0) {
      words[current].classList.remove("current");
      words[current].removeAttribute("aria-current");
    }
    current = i;
    if (i >= 0) {
      words[i].classList.add("current");
      words[i].setAttribute("aria-current", "true");
    }
  }

  function follow() {
    highlight(wordAt(media.currentTime));
    if (!media.paused && !media.ended) window.requestAnimationFrame(follow);
  }

  media.addEventListener("play", function () { window.requestAnimationFrame(follow); });
  media.addEventListener("timeupdate", function () { highlight(wordAt(media.currentTime)); });
  media.addEventListener("seeked", function () { highlight(wordAt(media.currentTime)); });
})();
