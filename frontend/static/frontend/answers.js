// The drive's questions on the reporter page: a tap on a triad's triangle sets its three
// weights, and tarinaAnswers(form) gathers every answer in the API's shape for the outbox.
(function () {
  "use strict";
  var CORNERS = [[100, 10], [10, 170], [190, 170]];  // top, bottom left, bottom right

  // Barycentric weights of point p in the triangle, clamped to it.
  function weights(p) {
    var a = CORNERS[0], b = CORNERS[1], c = CORNERS[2];
    var d = (b[1] - c[1]) * (a[0] - c[0]) + (c[0] - b[0]) * (a[1] - c[1]);
    var wa = ((b[1] - c[1]) * (p[0] - c[0]) + (c[0] - b[0]) * (p[1] - c[1])) / d;
    var wb = ((c[1] - a[1]) * (p[0] - c[0]) + (a[0] - c[0]) * (p[1] - c[1])) / d;
    var w = [wa, wb, 1 - wa - wb].map(function (x) { return Math.max(0, x); });
    var sum = w[0] + w[1] + w[2] || 1;
    return w.map(function (x) { return x / sum; });
  }

  function place(dot, ranges) {
    var values = ranges.map(function (r) { return Number(r.value) || 0; });
    var sum = values[0] + values[1] + values[2];
    if (!sum) { dot.setAttribute("cx", -20); dot.setAttribute("cy", -20); return; }
    var x = 0, y = 0;
    values.forEach(function (v, i) { x += CORNERS[i][0] * v / sum; y += CORNERS[i][1] * v / sum; });
    dot.setAttribute("cx", x); dot.setAttribute("cy", y);
  }

  function enhance(triad) {
    var svg = triad.querySelector("[data-triad-pick]");
    var dot = svg.querySelector("[data-triad-dot]");
    var ranges = Array.prototype.slice.call(triad.querySelectorAll("input[data-corner]"));
    svg.hidden = false;
    svg.addEventListener("click", function (event) {
      var box = svg.getBoundingClientRect();
      var p = [(event.clientX - box.left) * 200 / box.width, (event.clientY - box.top) * 180 / box.height];
      weights(p).forEach(function (w, i) { ranges[i].value = Math.round(w * Number(ranges[i].max)); });
      place(dot, ranges);
    });
    ranges.forEach(function (r) { r.addEventListener("input", function () { place(dot, ranges); }); });
    place(dot, ranges);
  }

  window.tarinaAnswers = function (form) {
    var answers = {};
    form.querySelectorAll("[data-question]").forEach(function (q) {
      var key = q.dataset.question, kind = q.dataset.kind;
      if (kind === "triad") {
        var corners = {}, any = false;
        q.querySelectorAll("input[data-corner]").forEach(function (r) {
          corners[r.dataset.corner] = Number(r.value) || 0; any = any || corners[r.dataset.corner] > 0;
        });
        if (any) answers[key] = corners;
      } else if (kind === "slider") {
        var step = q.querySelector("input:checked");
        var steps = q.querySelectorAll("input[type=radio]").length;
        if (step) answers[key] = Math.round(Number(step.value) * 100 / (steps - 1));
      } else if (kind === "area") {
        var chosen = q.querySelector("select").value;
        if (chosen) answers[key] = chosen;
      } else {
        var option = q.querySelector("input:checked");
        if (option) answers[key] = option.value;
      }
    });
    return answers;
  };

  document.querySelectorAll("[data-kind=triad]").forEach(enhance);
})();
