// The indicator page: draws the chart with the locally served vega-embed bundle, filters the
// country list as the reader types, and writes the view into the URL as country=USA~CHN&time=A..B.
(function () {
  var el = document.getElementById("chart");
  var spec = JSON.parse(document.getElementById("spec").textContent);
  if (!spec) { el.dataset.ready = "empty"; } else {
    spec.width = "container";
    vegaEmbed(el, spec, { renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } })
      .then(function (res) { window.aiatlasView = res.view; el.dataset.ready = "1"; })
      .catch(function (err) { el.dataset.ready = "error"; el.textContent = String(err); });
  }
  var search = document.getElementById("country-search");
  var list = document.getElementById("country-list");
  if (search && list) {
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      list.querySelectorAll("label").forEach(function (l) {
        l.style.display = (q !== "" && l.dataset.name.indexOf(q) < 0) ? "none" : "";
      });
    });
  }
  var form = document.getElementById("params");
  if (form) {
    form.addEventListener("submit", function () {
      var box = document.getElementById("country-value");
      if (box && list) {
        box.value = Array.prototype.map.call(list.querySelectorAll("input:checked"),
          function (c) { return c.value; }).join("~");
        if (!box.value) { box.disabled = true; }
      }
      var time = document.getElementById("time-value");
      var from = document.getElementById("time-from"), to = document.getElementById("time-to");
      if (time && from && to) {
        time.value = (from.value || to.value) ? from.value + ".." + to.value : "";
        if (!time.value) { time.disabled = true; }
      }
      form.querySelectorAll("select, input[name]").forEach(function (f) {
        if (f.value === "" && f.name !== "lang") { f.disabled = true; }  // short, shareable URLs
      });
    });
  }
})();
