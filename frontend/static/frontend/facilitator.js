/* The drive page in facilitator mode: one phone records several storytellers in a workshop.
 * Each story is marked as consent read aloud by a facilitator, and carries a label for its
 * storyteller that stays on this phone (in the outbox item and the phone's receipt list,
 * never in what is sent). The workshop's receipts are shown as printable slips with a QR
 * code, and the whole workshop can be cleared from the phone. Needs app.js and reporter.js. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-story-form][data-facilitator]");
  var section = document.querySelector("[data-workshop]");
  if (!form || !section || !window.TarinaApp || !window.TarinaOutbox || !window.indexedDB) return;
  var S = window.tarinaStrings || {};
  var App = window.TarinaApp, Outbox = window.TarinaOutbox;
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var drive = form.dataset.drive, RECEIPTS = "tarina-receipts", WORKSHOP = "tarina-workshop:" + drive;
  var slips = $("[data-slips]", section), slipTemplate = $("template[data-slip]", section),
      waitingBox = $("[data-workshop-waiting]", section), waitingList = $("[data-workshop-waiting-list]", section),
      message = $("[data-workshop-message]", section), confirmBox = $("[data-clear-confirm]", section),
      labelInput = $("[data-storyteller]", form);
  var qrCache = {}, told = 0;

  // One workshop at a time per drive on this phone; clearing it starts the next one.
  function workshopId() {
    var id = null;
    try { id = localStorage.getItem(WORKSHOP); } catch (e) { /* storage off */ }
    if (!id) {
      id = window.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2);
      try { localStorage.setItem(WORKSHOP, id); } catch (e) { /* kept for this page only */ }
    }
    return id;
  }
  var workshop = workshopId();

  function mine(entry) { return entry && entry.workshop === workshop; }
  function csrf() { var i = $("input[name=csrfmiddlewaretoken]"); return i ? i.value : ""; }

  // The receipt's QR code (of /r/#<receipt>) from the server, by POST: never in a URL.
  function fillQr(holder, receipt) {
    if (qrCache[receipt]) { holder.innerHTML = qrCache[receipt]; return; }  // our own server's SVG
    if (navigator.onLine === false) return;
    var body = new FormData(); body.append("receipt", receipt);
    fetch("/receipt-qr/", { method: "POST", body: body, headers: { "X-CSRFToken": csrf() }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : ""; })
      .then(function (svg) { if (svg.indexOf("<svg") === 0) { qrCache[receipt] = svg; holder.innerHTML = svg; } })
      .catch(function () {});
  }

  function render() {
    return Outbox.all().catch(function () { return []; }).then(function (items) {
      var waiting = items.filter(mine).sort(function (a, b) { return a.created - b.created; });
      var entries = App.kept().filter(mine).sort(function (a, b) { return (a.sent || 0) - (b.sent || 0); });
      told = waiting.length + entries.length;
      section.hidden = told === 0;
      waitingBox.hidden = waiting.length === 0;
      waitingList.textContent = "";
      waiting.forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = item.storyteller || "";
        waitingList.appendChild(li);
      });
      slips.textContent = "";
      entries.forEach(function (entry) {
        var slip = slipTemplate.content.firstElementChild.cloneNode(true);
        $("[data-slip-who]", slip).textContent = entry.storyteller || "";
        $("[data-receipt-slot]", slip).replaceWith(App.receiptCode(entry.receipt));
        fillQr($("[data-slip-qr]", slip), entry.receipt);
        slips.appendChild(slip);
      });
    });
  }

  // Each story: the facilitator's channel goes to the server; the label stays on the phone.
  form.addEventListener("tarina:queueing", function (e) {
    var item = e.detail;
    item.payload.channel = "facilitator";
    item.workshop = workshop;
    item.storyteller = (labelInput.value || "").trim() || ((S.person || "Person") + " " + (told + 1));
    told += 1;
  });
  form.addEventListener("tarina:queued-item", render);
  // A story the server refused is back in the form (reporter.js): so is its storyteller's label.
  document.addEventListener("tarina:refused", function (e) {
    var item = e.detail.item;
    if (item && item.workshop === workshop && item.payload && item.payload.drive === drive) {
      labelInput.value = item.storyteller || "";
    }
    render();
  });
  document.addEventListener("tarina:sent", render);
  window.addEventListener("online", render);
  window.addEventListener("storage", function (e) { if (e.key === RECEIPTS || e.key === WORKSHOP) { workshop = workshopId(); render(); } });

  $("[data-print-slips]", section).addEventListener("click", function () { window.print(); });

  // Clearing: the workshop's receipts and labels leave this phone (after a confirmation).
  $("[data-clear-workshop]", section).addEventListener("click", function () {
    Outbox.all().then(function (items) {
      if (items.some(mine)) { message.textContent = S.stillwaiting || ""; return; }
      message.textContent = "";
      confirmBox.hidden = false;
      $("[data-clear-yes]", confirmBox).focus();
    });
  });
  $("[data-clear-no]", confirmBox).addEventListener("click", function () {
    confirmBox.hidden = true;
    $("[data-clear-workshop]", section).focus();
  });
  $("[data-clear-yes]", confirmBox).addEventListener("click", function () {
    try {
      localStorage.setItem(RECEIPTS, JSON.stringify(App.kept().filter(function (entry) { return !mine(entry); })));
      localStorage.removeItem(WORKSHOP);
    } catch (e) { /* storage off: nothing was kept there */ }
    qrCache = {};
    workshop = workshopId();
    confirmBox.hidden = true;
    render().then(function () {
      section.hidden = false;  // long enough to say it is done
      message.textContent = S.cleared || "";
      labelInput.focus();
    });
  });

  render();
})();
