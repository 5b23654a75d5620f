/* Every page: register the service worker, wire copy buttons, and describe API errors for
   the page scripts. Hand-written, no build. */
(function () {
  "use strict";
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) return;
    var code = button.parentElement.querySelector("[data-receipt-code]");
    if (!code) return;
    var text = code.textContent.trim();
    var done = function () { button.textContent = (window.tarinaStrings && window.tarinaStrings.copied) || "Copied"; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(done, function () { selectText(code); });
    } else { selectText(code); }
  });
  function selectText(node) {
    var range = document.createRange(); range.selectNodeContents(node);
    var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
  }
  // Every message in an API error answer, in reading order: the page scripts show it.
  window.tarinaDescribe = function (data) {
    var out = [];
    (function walk(value) {
      if (value == null) return;
      if (typeof value === "string") out.push(value);
      else if (Array.isArray(value)) value.forEach(walk);
      else if (typeof value === "object") Object.keys(value).forEach(function (k) { walk(value[k]); });
    })(data);
    return out.join(" ");
  };
  var strings = document.getElementById("tarina-strings");
  if (strings) { try { window.tarinaStrings = JSON.parse(strings.textContent); } catch (e) { /* ignore */ } }
  document.querySelectorAll("[data-copy][hidden]").forEach(function (b) { b.hidden = false; });
  // The status page: a receipt in the link's fragment (from the QR code) fills the form.
  var input = document.querySelector("[data-receipt-input]");
  if (input && !input.value && location.hash.length > 1) {
    input.value = decodeURIComponent(location.hash.slice(1));
  }
})();
