// The console's clip form: a word selection in the transcript (console.js sends it as the
// `tarina:wordselection` event) fills in the times; typing them works without this script.
(function () {
  "use strict";
  var form = document.querySelector("[data-clip-form]");
  if (!form) return;
  var start = form.querySelector('[data-clip="start"]');
  var end = form.querySelector('[data-clip="end"]');
  var quote = form.querySelector('[data-clip="quote"]');

  function seconds(value) {
    return (Math.round(Number(value) * 100) / 100).toFixed(2);
  }

  document.addEventListener("tarina:wordselection", function (event) {
    var detail = event.detail;
    if (!detail) {
      quote.hidden = true;
      quote.textContent = "";
      return;
    }
    if (!isFinite(detail.start) || !isFinite(detail.end)) return;
    start.value = seconds(detail.start);
    end.value = seconds(detail.end);
    // What the curator selected; the published quote hides personal data in it.
    quote.textContent = "“" + String(detail.text || "").trim() + "”";
    quote.hidden = !detail.text;
  });
})();
