import { PNG } from "pngjs";
import type { Dataset } from "../data/mnist.ts";
import type { EpochRecord } from "../model/checkpoint.ts";

export interface ReportInput {
  title: string;
  history: EpochRecord[];
  testAccuracy: number;
  confusion: number[][];
  test: Dataset;
  predictions: Uint8Array;
  /** Lines describing the run (architecture, command, timings). */
  facts: [string, string][];
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

/** A line chart of per-epoch values (one polyline per series) as inline SVG. */
function lineChart(
  title: string,
  series: { name: string; color: string; values: number[] }[],
): string {
  const [w, h, pad] = [420, 240, 40];
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  let [lo, hi] = [Math.min(...all), Math.max(...all)];
  if (!(hi > lo)) [lo, hi] = [lo - 0.5, hi + 0.5];
  const n = Math.max(...series.map((s) => s.values.length));
  const x = (i: number) => pad + (n > 1 ? (i / (n - 1)) * (w - 2 * pad) : (w - 2 * pad) / 2);
  const y = (v: number) => h - pad - ((v - lo) / (hi - lo)) * (h - 2 * pad);
  const lines = series.map((s) => {
    const points = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    const dots = s.values.map(
      (v, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${s.color}"/>`,
    );
    return `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points}"/>${dots.join("")}`;
  });
  const ticks = Array.from(
    { length: n },
    (_, i) => `<text x="${x(i)}" y="${h - pad + 16}" text-anchor="middle">${i + 1}</text>`,
  );
  const legend = series.map(
    (s, i) =>
      `<rect x="${pad + i * 110}" y="8" width="12" height="12" fill="${s.color}"/><text x="${pad + i * 110 + 16}" y="18">${escapeHtml(s.name)}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="11">
<text x="${w / 2}" y="${h - 6}" text-anchor="middle">epoch</text><text x="${w - pad}" y="18" text-anchor="end" font-weight="bold">${escapeHtml(title)}</text>
<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#888"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="#888"/>
<text x="${pad - 4}" y="${y(hi) + 4}" text-anchor="end">${hi.toFixed(4)}</text><text x="${pad - 4}" y="${y(lo) + 4}" text-anchor="end">${lo.toFixed(4)}</text>
${ticks.join("")}${legend.join("")}${lines.join("")}</svg>`;
}

/** The confusion matrix as an SVG grid, darker cells for larger counts. */
function confusionSvg(matrix: number[][]): string {
  const cell = 36;
  const off = 40;
  const size = off + cell * matrix.length;
  const rowMax = matrix.map((row) => Math.max(1, ...row));
  const cells = matrix.flatMap((row, r) =>
    row.map((v, c) => {
      const shade =
        r === c
          ? `rgba(40,120,60,${0.15 + 0.85 * (v / rowMax[r])})`
          : `rgba(200,40,40,${v === 0 ? 0 : 0.15 + 0.85 * Math.min(1, v / 20)})`;
      return `<rect x="${off + c * cell}" y="${off + r * cell}" width="${cell}" height="${cell}" fill="${shade}" stroke="#ddd"/><text x="${off + c * cell + cell / 2}" y="${off + r * cell + cell / 2 + 4}" text-anchor="middle">${v}</text>`;
    }),
  );
  const labels = matrix.map(
    (_, i) =>
      `<text x="${off + i * cell + cell / 2}" y="${off - 8}" text-anchor="middle" font-weight="bold">${i}</text><text x="${off - 10}" y="${off + i * cell + cell / 2 + 4}" text-anchor="end" font-weight="bold">${i}</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size + 10}" height="${size + 10}" font-family="sans-serif" font-size="11">
<text x="${off}" y="12">predicted →</text><text x="2" y="${off - 8}">true ↓</text>${labels.join("")}${cells.join("")}</svg>`;
}

function digitPng(data: Dataset, index: number): string {
  const png = new PNG({
    width: data.cols,
    height: data.rows,
    colorType: 0,
    inputColorType: 0,
    bitDepth: 8,
  });
  const pixels = data.rows * data.cols;
  for (let j = 0; j < pixels; j++) {
    const v = data.images[index * pixels + j];
    png.data[j * 4] = png.data[j * 4 + 1] = png.data[j * 4 + 2] = v;
    png.data[j * 4 + 3] = 255;
  }
  return PNG.sync.write(png, { colorType: 0 }).toString("base64");
}

/** A grid of misread test digits (up to `limit`), each with its true and predicted label. */
function misreadGrid(data: Dataset, predictions: Uint8Array, limit = 64): string {
  const wrong: number[] = [];
  for (let i = 0; i < predictions.length && wrong.length < limit; i++) {
    if (predictions[i] !== data.labels[i]) wrong.push(i);
  }
  const [cell, perRow, scale] = [64, 12, 2];
  const height = Math.ceil(wrong.length / perRow) * (cell + 14);
  const items = wrong.map((index, k) => {
    const [x, y] = [(k % perRow) * cell, Math.floor(k / perRow) * (cell + 14)];
    return `<image x="${x + 4}" y="${y}" width="${28 * scale}" height="${28 * scale}" style="image-rendering:pixelated" href="data:image/png;base64,${digitPng(data, index)}"/><text x="${x + cell / 2}" y="${y + cell + 8}" text-anchor="middle">#${index}: ${data.labels[index]}→${predictions[index]}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${perRow * cell}" height="${height}" font-family="sans-serif" font-size="10">${items.join("")}</svg>`;
}

/** A self-contained HTML page (inline SVG and images, no external files) describing a run. */
export function trainingReport(input: ReportInput): string {
  const epochs = input.history;
  const curves = [
    lineChart("loss", [
      { name: "train", color: "#1f77b4", values: epochs.map((e) => e.loss) },
      { name: "validation", color: "#ff7f0e", values: epochs.map((e) => e.valLoss) },
    ]),
    lineChart("accuracy", [
      { name: "train", color: "#1f77b4", values: epochs.map((e) => e.acc) },
      { name: "validation", color: "#ff7f0e", values: epochs.map((e) => e.valAcc) },
    ]),
  ];
  const wrong = input.predictions.reduce((n, p, i) => n + (p !== input.test.labels[i] ? 1 : 0), 0);
  const facts = input.facts
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("");
  const rows = epochs
    .map(
      (e) =>
        `<tr><td>${e.epoch}</td><td>${e.loss.toFixed(4)}</td><td>${e.acc.toFixed(4)}</td><td>${e.valLoss.toFixed(4)}</td><td>${e.valAcc.toFixed(4)}</td><td>${e.seconds.toFixed(1)}</td></tr>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(input.title)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}h2{margin-top:1.5em}</style></head>
<body><h1>${escapeHtml(input.title)}</h1>
<p><strong>Test accuracy: ${(input.testAccuracy * 100).toFixed(2)}%</strong> (${wrong} of ${input.predictions.length} test digits misread)</p>
<table>${facts}</table>
<h2>Loss and accuracy per epoch</h2>${curves.join(" ")}
<table><tr><th>epoch</th><th>loss</th><th>acc</th><th>val loss</th><th>val acc</th><th>seconds</th></tr>${rows}</table>
<h2>Confusion matrix (test set)</h2>${confusionSvg(input.confusion)}
<h2>Misread test digits (first ${Math.min(64, wrong)}: true→predicted)</h2>${misreadGrid(input.test, input.predictions)}
</body></html>
`;
}
