/* Every page: register the service worker, send the outbox, keep the list "My stories on
   this phone", wire copy/download/print buttons, keep the page's state across a language
   switch, and describe API errors for the page scripts. Hand-written, no build. */
(function () {
  "use strict";
  var RECEIPTS = "tarina-receipts";
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };

  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }

  var strings = document.getElementById("tarina-strings");
  if (strings) { try { window.tarinaStrings = JSON.parse(strings.textContent); } catch (e) { /* ignore */ } }
  window.tarinaDescribe = function (data) {
    return window.TarinaSender ? TarinaSender.describe(data) : String((data && data.detail) || "");
  };

  // --- Receipts: cut into short groups that stay on one line --------------------------
  function receiptCode(receipt) {
    var code = document.createElement("code");
    code.setAttribute("data-receipt-code", "");
    var blocks = receipt.split("-");
    for (var i = 0; i < blocks.length; i += 2) {
      if (i) { code.appendChild(document.createTextNode("-")); code.appendChild(document.createElement("wbr")); }
      var group = document.createElement("span");
      group.className = "grp";
      group.textContent = blocks.slice(i, i + 2).join("-");
      code.appendChild(group);
    }
    return code;
  }

  // --- "My stories on this phone": every receipt this phone received, in localStorage ----
  function kept() {
    try { var list = JSON.parse(localStorage.getItem(RECEIPTS) || "[]"); return Array.isArray(list) ? list : []; }
    catch (e) { return []; }
  }
  function keep(entry) {
    var list = kept().filter(function (e) { return e.receipt !== entry.receipt; });
    list.unshift(entry);
    try { localStorage.setItem(RECEIPTS, JSON.stringify(list)); } catch (e) { return false; }
    renderList();
    return true;
  }
  function forget(receipt) {
    try { localStorage.setItem(RECEIPTS, JSON.stringify(kept().filter(function (e) { return e.receipt !== receipt; }))); } catch (e) { /* full */ }
    renderList();
  }
  function renderList() {
    $$("[data-my-stories]").forEach(function (section) {
      var list = $("[data-my-stories-list]", section), row = $("template[data-receipt-row]", section);
      var entries = kept();
      section.hidden = entries.length === 0;
      list.textContent = "";
      entries.forEach(function (entry) {
        var item = row.content.firstElementChild.cloneNode(true);
        item.setAttribute("data-receipt", entry.receipt);
        $$("[hidden]", item).forEach(function (b) { b.hidden = false; });  // this script is here to work them
        $("[data-receipt-slot]", item).replaceWith(receiptCode(entry.receipt));
        var when = new Date(entry.sent || Date.now());
        $("[data-receipt-when]", item).textContent = when.toLocaleString(document.documentElement.lang || undefined,
          { dateStyle: "medium", timeStyle: "short" }) + (entry.storyteller ? " · " + entry.storyteller : "") +
          (entry.title ? " · " + entry.title : "");
        $("[data-receipt-status]", item).href = "/r/#" + encodeURIComponent(entry.receipt);
        list.appendChild(item);
      });
    });
  }
  // Receipts the outbox delivered (maybe by the service worker) move into the list here.
  function collectReceived() {
    if (!window.TarinaOutbox || !window.indexedDB) return Promise.resolve();
    return TarinaOutbox.received().then(function (entries) {
      return Promise.all((entries || []).map(function (entry) {
        return keep(entry) ? TarinaOutbox.listed(entry.receipt) : null;
      }));
    }).catch(function () {});
  }

  function download(receipt) {
    var text = document.title + "\n\n" + receipt + "\n\n" + location.origin + "/r/#" + receipt + "\n";
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    link.download = "tarina-receipt-" + receipt.slice(0, 4) + ".txt";
    document.body.appendChild(link); link.click(); link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }
  function printOne(holder) {
    document.body.classList.add("print-receipt");
    holder.classList.add("to-print");
    window.print();
    document.body.classList.remove("print-receipt");
    holder.classList.remove("to-print");
  }
  function selectText(node) {
    var range = document.createRange(); range.selectNodeContents(node);
    var sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(range);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy],[data-download],[data-print],[data-forget]");
    if (!button) return;
    var holder = button.closest("[data-receipt]") || button.parentElement;
    var code = holder.querySelector("[data-receipt-code]");
    if (!code) return;
    var receipt = code.textContent.trim();
    if (button.hasAttribute("data-download")) return download(receipt);
    if (button.hasAttribute("data-print")) return printOne(holder);
    if (button.hasAttribute("data-forget")) return forget(receipt);
    var done = function () { button.textContent = button.getAttribute("data-copied") || (window.tarinaStrings && tarinaStrings.copied) || "Copied"; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(receipt).then(done, function () { selectText(code); });
    } else { selectText(code); }
  });

  // --- A language switch keeps the page: its query and fragment; drafts are on the phone --
  // On the status page after a look-up, the receipt goes along in the fragment (never sent
  // to the server), so the page in the other language has it in its form.
  var held = $("form input[type=hidden][name=receipt]");
  var fragment = location.hash || (held && held.value ? "#" + encodeURIComponent(held.value) : "");
  $$("nav.langs a[hreflang]").forEach(function (link) {
    var params = new URLSearchParams(location.search);
    params.set("lang", link.getAttribute("hreflang"));
    link.search = "?" + params.toString();
    link.hash = fragment;
    link.addEventListener("click", function () { window.tarinaLanguageSwitch = true; });
  });

  // --- The outbox goes from every page -----------------------------------------------
  var note = $("[data-outbox-note]");
  var hooks = {
    progress: function (step, percent) { document.dispatchEvent(new CustomEvent("tarina:progress", { detail: { step: step, percent: percent } })); },
    queued: function () {
      document.dispatchEvent(new CustomEvent("tarina:queued"));
      syncLater();
    },
    sent: function (entry) {
      collectReceived().then(function () {
        var shown = document.dispatchEvent(new CustomEvent("tarina:sent", { detail: entry, cancelable: true }));
        if (shown && note) { note.hidden = false; note.textContent = note.getAttribute("data-sent"); }
      });
    },
    takes: function (item) {
      var form = $("form[data-story-form]");
      return !!(form && item.payload && form.getAttribute("data-drive") === item.payload.drive);
    },
    refused: function (item, error) {
      var shown = document.dispatchEvent(new CustomEvent("tarina:refused", { detail: { item: item, error: error }, cancelable: true }));
      if (shown && note) { note.hidden = false; note.textContent = note.getAttribute("data-refused") + " " + error.message; }
    },
  };
  function flush() {
    if (!window.TarinaSender || navigator.onLine === false) return Promise.resolve();
    return TarinaSender.flush(hooks).catch(function () {});
  }
  // Background Sync, where the browser has it: the worker sends the outbox once online,
  // even after the tab is closed.
  function syncLater() {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) return reg.sync.register("tarina-outbox");
    }).catch(function () {});
  }
  window.TarinaApp = { flush: flush, keep: keep, kept: kept, receiptCode: receiptCode, syncLater: syncLater };

  renderList();
  collectReceived();
  window.addEventListener("online", flush);
  window.addEventListener("storage", function (e) { if (e.key === RECEIPTS) renderList(); });
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", function (e) {
      if (e.data === "tarina:received") collectReceived();
    });
  }
  if (window.TarinaOutbox && window.indexedDB) {
    // Stories left from an earlier visit (a closed tab, a lost connection) are sent now.
    TarinaOutbox.all().then(function (items) { if (items.length) flush(); }).catch(function () {});
    setInterval(function () { TarinaOutbox.all().then(function (items) { if (items.length) flush(); }).catch(function () {}); }, 20000);
  }

  // The status page: a receipt in the link's fragment (from the QR code) fills the form.
  var input = $("[data-receipt-input]");
  if (input && !input.value && location.hash.length > 1) {
    input.value = decodeURIComponent(location.hash.slice(1));
  }
  // A receipt the server showed (the form sent without this script's outbox) is kept too.
  var shownReceipt = $("[data-receipt-keep]");
  if (shownReceipt) {
    keep({ receipt: shownReceipt.textContent.trim(), drive: shownReceipt.getAttribute("data-drive") || "", title: "", sent: Date.now() });
  }
  $$("[data-copy][hidden],[data-download][hidden],[data-print][hidden]").forEach(function (b) { b.hidden = false; });
})();
