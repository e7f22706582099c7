// Draws the indicator page's chart with the locally served vega-embed bundle.
(function () {
  var el = document.getElementById("chart");
  var spec = JSON.parse(document.getElementById("spec").textContent);
  if (!spec) { el.dataset.ready = "empty"; return; }
  spec.width = "container";
  vegaEmbed(el, spec, { renderer: "svg", actions: { export: true, source: false, compiled: false, editor: false } })
    .then(function (res) { window.aiatlasView = res.view; el.dataset.ready = "1"; })
    .catch(function (err) { el.dataset.ready = "error"; el.textContent = String(err); });
})();
