// optimizer serve: the only script of the pages (served locally; no framework, no build step).
(function () {
  "use strict";

  // -- progress of a background solve: poll /api/jobs/<id> -----------------------------------
  var box = document.getElementById("job");
  if (box && box.dataset.job) {
    var id = box.dataset.job;
    var fmt = function (x, digits) {
      return x === null || x === undefined ? "–" : Number(x).toLocaleString("en-US", { maximumFractionDigits: digits || 0 });
    };
    var set = function (el, text) { var e = document.getElementById(el); if (e) { e.textContent = text; } };
    var cancel = document.getElementById("job-cancel");
    cancel.addEventListener("click", function () {
      cancel.disabled = true;
      fetch("/api/jobs/" + id + "/cancel", { method: "POST" }).catch(function () { cancel.disabled = false; });
    });
    var poll = function () {
      fetch("/api/jobs/" + id).then(function (r) { return r.json(); }).then(function (j) {
        if (j.error && !j.status) { set("job-status", j.error); return; }
        set("job-title", j.title);
        set("job-status", j.status);
        set("job-phase", j.phase || "");
        set("job-elapsed", fmt(j.elapsed, 1));
        if (j.best) {
          set("job-best", fmt(j.best.objective));
          set("job-bound", fmt(j.best.bound));
          set("job-gap", j.best.gap === null ? "–" : (100 * j.best.gap).toFixed(2) + " %");
          set("job-label", j.best.label + " at " + fmt(j.best.seconds, 1) + " s");
        }
        set("job-lines", (j.lines || []).join("\n"));
        box.dataset.status = j.status;
        if (j.status === "done") {
          location.href = "/freight?instance=" + encodeURIComponent(box.dataset.instance) + "&scenario=" + encodeURIComponent(j.scenario);
        } else if (j.finished) {
          cancel.hidden = true;
          var err = document.getElementById("job-error");
          err.hidden = false;
          err.textContent = j.status === "cancelled" ? "Cancelled: nothing was written." : j.error;
        } else {
          setTimeout(poll, 500);
        }
      }).catch(function () { setTimeout(poll, 1500); });
    };
    poll();
  }

  // -- hubs on the map: click cycles closed -> forced open -> neither ----------------
  var map = document.getElementById("network-map");
  if (map) {
    var paint = function () {
      map.querySelectorAll('[data-node^="hub:"]').forEach(function (m) {
        var hub = m.getAttribute("data-node").slice(4);
        var c = document.getElementById("close-" + hub), o = document.getElementById("open-" + hub);
        m.classList.toggle("closed", !!(c && c.checked));
        m.classList.toggle("forced", !!(o && o.checked));
      });
    };
    map.addEventListener("click", function (ev) {
      var m = ev.target.closest('[data-node^="hub:"]');
      if (!m) { return; }
      var hub = m.getAttribute("data-node").slice(4);
      var c = document.getElementById("close-" + hub), o = document.getElementById("open-" + hub);
      if (!c || !o) { return; }
      if (!c.checked && !o.checked) { c.checked = true; }
      else if (c.checked) { c.checked = false; o.checked = true; }
      else { o.checked = false; }
      paint();
    });
    document.querySelectorAll('input[name="closed_hubs"], input[name="open_hubs"]').forEach(function (i) {
      i.addEventListener("change", paint);
    });
    paint();
  }
  document.documentElement.dataset.ready = "1";
})();
