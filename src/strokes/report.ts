import { expectedCalibrationError, type ReliabilityBin, reliability } from "./calibration.ts";
import { writerGroup } from "./split.ts";

/** One digit read back: what was written, by whom, and what the model said. */
export interface Reading {
  label: number;
  writer: string;
  predicted: number;
  probability: number;
  probabilities: number[];
}

export interface Share {
  n: number;
  correct: number;
  accuracy: number;
}

export interface StrokeReport {
  overall: Share;
  tune: Share; // writers 01–20
  heldOut: Share; // writers 21–30
  perDigit: Share[];
  perWriter: Record<string, Share>;
  confusion: number[][]; // [label][predicted]
  heldOutEce: number;
  tuneEce: number;
  heldOutReliability: ReliabilityBin[];
  tuneReliability: ReliabilityBin[];
}

function share(readings: Reading[]): Share {
  const correct = readings.filter((r) => r.predicted === r.label).length;
  return { n: readings.length, correct, accuracy: readings.length ? correct / readings.length : 0 };
}

export function summarise(readings: Reading[]): StrokeReport {
  const tune = readings.filter((r) => writerGroup(r.writer) === "tune");
  const heldOut = readings.filter((r) => writerGroup(r.writer) === "heldOut");
  const writers = [...new Set(readings.map((r) => r.writer))].sort();
  const confusion = Array.from({ length: 10 }, () => new Array<number>(10).fill(0));
  for (const r of readings) confusion[r.label][r.predicted]++;
  return {
    overall: share(readings),
    tune: share(tune),
    heldOut: share(heldOut),
    perDigit: Array.from({ length: 10 }, (_, d) => share(readings.filter((r) => r.label === d))),
    perWriter: Object.fromEntries(
      writers.map((w) => [w, share(readings.filter((r) => r.writer === w))]),
    ),
    confusion,
    heldOutEce: expectedCalibrationError(heldOut),
    tuneEce: expectedCalibrationError(tune),
    heldOutReliability: reliability(heldOut),
    tuneReliability: reliability(tune),
  };
}

const pct = (s: Share) => (s.n ? `${(s.accuracy * 100).toFixed(2)}%` : "—");

/** The report as text: headline figures, per digit, per writer, confusion matrix, reliability. */
export function formatReport(report: StrokeReport): string {
  const lines = [
    `overall   ${pct(report.overall)} of ${report.overall.n}`,
    `tune      ${pct(report.tune)} of ${report.tune.n} (writers 01–20)`,
    `held out  ${pct(report.heldOut)} of ${report.heldOut.n} (writers 21–30)`,
    `calibration error (ECE): held out ${(report.heldOutEce * 100).toFixed(2)}%, tune ${(report.tuneEce * 100).toFixed(2)}%`,
    "",
    `per digit: ${report.perDigit.map((s, d) => `${d} ${pct(s)}`).join("  ")}`,
    "",
    "per writer:",
  ];
  const writers = Object.entries(report.perWriter);
  for (let i = 0; i < writers.length; i += 5) {
    lines.push(
      "  " +
        writers
          .slice(i, i + 5)
          .map(([w, s]) => `${w} ${pct(s).padStart(7)}`)
          .join("  "),
    );
  }
  lines.push("", "confusion (rows: written, columns: read):");
  lines.push(`      ${Array.from({ length: 10 }, (_, d) => String(d).padStart(5)).join("")}`);
  report.confusion.forEach((row, d) => {
    lines.push(`  ${d}   ${row.map((v) => String(v).padStart(5)).join("")}`);
  });
  lines.push("", "reliability on held-out writers (shown probability → how often right):");
  for (const bin of report.heldOutReliability) {
    if (bin.n === 0) continue;
    lines.push(
      `  ${(bin.from * 100).toFixed(0).padStart(3)}–${(bin.to * 100).toFixed(0).padEnd(3)}%  n=${String(bin.n).padStart(5)}  shown ${(bin.meanProbability * 100).toFixed(1)}%  right ${(bin.accuracy * 100).toFixed(1)}%`,
    );
  }
  return lines.join("\n");
}
