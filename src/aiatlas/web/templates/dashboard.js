// The indicator page (and its embed): draws the chart or map with the locally served
// vega-embed bundle, filters the country list as the reader types, writes the view into the
// URL as country=USA~CHN&time=A..B, moves the map's year, and copies the share and embed code.
(function () {
  var el = document.getElementById("chart");
  var spec = JSON.parse(document.getElementById("spec").textContent);
  // a title line longer than the chart is wide is broken at a space (Japanese: at any character),
  // so nothing is cut at a phone's edges; a CJK character is about as wide as the font size,
  // any other about 0.6 of it (bold titles a little more)
  function wrap(lines, width, size) {
    var out = [];
    (Array.isArray(lines) ? lines : [lines]).forEach(function (line) {
      line = String(line);
      while (line) {
        var w = 0, i = 0, space = -1;
        for (; i < line.length; i++) {
          w += (line.charCodeAt(i) >= 0x2e80 ? 1 : 0.6) * size;
          if (w > width) { break; }
          if (line[i] === " ") { space = i; }
        }
        if (i >= line.length) { out.push(line); break; }
        var cut = (space > i / 2) ? space : Math.max(i, 1);
        out.push(line.slice(0, cut)); line = line.slice(cut).replace(/^ /, "");
      }
    });
    return out;
  }
  function fit(spec, width) {
    var t = spec.title;
    if (t) {
      t = (typeof t === "object" && !Array.isArray(t)) ? t : { text: t };
      width -= 40;  // the title starts above the axis labels; the actions button sits at the right
      t.text = wrap(t.text, width, 13 * 1.08);
      if (t.subtitle) { t.subtitle = wrap(t.subtitle, width, 11); }
      spec.title = t;
    }
    spec.width = "container";
    // the plot narrows to the container, its labels and axes kept; the height stays as drawn
    // (direct labels are spaced for it), unless the spec sizes itself (the map)
    spec.autosize = spec.autosize || { type: "fit-x", contains: "padding" };
    return spec;
  }
  if (el && !spec) { el.dataset.ready = "empty"; } else if (el) {
    fit(spec, el.clientWidth);
    if (el.classList.contains("kind-map")) {  // a world map reads best about twice as wide as tall
      spec.height = Math.round(el.clientWidth * 0.5) + 110;  // + title and legend (autosize fit)
    }
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
  var year = document.getElementById("map-year");
  if (form && year) {
    var out = document.getElementById("map-year-out");
    year.addEventListener("input", function () { if (out) { out.textContent = year.value; } });
    year.addEventListener("change", function () {
      document.getElementById("time-value").value = year.value;
      form.requestSubmit();
    });
  }
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
  document.querySelectorAll("button[data-copy]").forEach(function (b) {
    b.addEventListener("click", function () {
      var src = document.getElementById(b.dataset.copy);
      src.select();
      var done = function () { b.textContent = b.dataset.done; };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(src.value).then(done, function () { document.execCommand("copy"); done(); });
      } else { document.execCommand("copy"); done(); }
    });
  });
})();
