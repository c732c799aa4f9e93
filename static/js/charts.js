// Draws every chart of the page (templates/charts/_chart.html) with the vendored Chart.js, from the figures
// the page wrote with json_script. The table beside each chart holds the same figures, so without
// JavaScript nothing is lost; no inline script or style is needed, so the CSP stays strict.
(() => {
  if (typeof Chart === "undefined") return;
  const lang = document.documentElement.lang || "fr";
  const css = getComputedStyle(document.documentElement);
  const colour = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  const palette = [
    colour("--brand", "#0b4f6c"),
    colour("--accent", "#0f7a5a"),
    colour("--warn", "#8a5300"),
    colour("--bad", "#a4161a"),
    "#5b4b8a",
    colour("--muted", "#4d5866"),
  ];
  Chart.defaults.font.family = css.fontFamily;
  Chart.defaults.color = colour("--ink", "#1d2530");

  document.querySelectorAll("[data-chart]").forEach((holder) => {
    const source = document.getElementById(holder.dataset.chart);
    const canvas = holder.querySelector("canvas");
    if (!source || !canvas) return;
    const spec = JSON.parse(source.textContent);
    const digits = { minimumFractionDigits: spec.decimals, maximumFractionDigits: spec.decimals };
    const format = new Intl.NumberFormat(
      lang,
      spec.currency ? { style: "currency", currency: spec.currency, ...digits } : digits,
    );
    const valueAxis = spec.horizontal ? "x" : "y";
    const datasets = spec.series.map((series, i) => ({
      type: series.style,
      label: series.label,
      data: series.values,
      backgroundColor: palette[i % palette.length],
      borderColor: palette[i % palette.length],
      borderDash: series.dashed ? [6, 4] : [],
      borderWidth: series.style === "line" ? 2 : 0,
      pointRadius: series.style === "line" ? 0 : undefined,
      spanGaps: false,
    }));
    holder.hidden = false;
    new Chart(canvas, {
      type: spec.kind,
      data: { labels: spec.labels, datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        locale: lang,
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: spec.series.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: (ctx) => `${ctx.dataset.label}: ${format.format(ctx.parsed[valueAxis])}`,
            },
          },
        },
        scales: {
          // precision: counts (decimals 0) step by whole numbers, never 0.1 labelled "0" by the formatter.
          [valueAxis]: {
            beginAtZero: true,
            ticks: { precision: spec.decimals, callback: (value) => format.format(value) },
          },
          // Long category labels (endpoints) are cut on a phone, from the start: the table has them whole.
          [spec.horizontal ? "y" : "x"]: {
            ticks: {
              callback(value) {
                const label = this.getLabelForValue(value);
                return window.innerWidth < 640 && label.length > 22 ? `…${label.slice(-21)}` : label;
              },
            },
          },
        },
      },
    });
  });
})();
