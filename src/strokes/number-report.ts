import type { PadStroke } from "../recognize/types.ts";
import { writerGroup } from "./split.ts";

/** One composed number read back. */
export interface NumberTrial {
  writer: string;
  labels: number[];
  /** What was read ("" when nothing), and how many digits the reader found. */
  read: string;
  found: number;
  /** Why nothing was read, when it was not. */
  unreadable?: string;
  /** The strokes as drawn (pad units, the pad's height = 1), for the picture. */
  strokes: PadStroke[];
}

/** How a number came out: right, or which kind of splitting error (or a misread digit). */
export type NumberOutcome = "right" | "merged" | "split" | "wrong digit" | "unreadable";

export function outcome(t: NumberTrial): NumberOutcome {
  const want = t.labels.join("");
  if (t.read === want) return "right";
  if (t.read === "") return "unreadable";
  if (t.read.length < want.length) return "merged";
  if (t.read.length > want.length) return "split";
  return "wrong digit";
}

/** Edit distance between what was written and what was read, in digits. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = up;
    }
  }
  return row[b.length];
}

export interface LengthFigures {
  length: number;
  n: number;
  right: number;
  accuracy: number;
  /** Digits read right: written digits less the edits between written and read. */
  digitAccuracy: number;
  outcomes: Record<NumberOutcome, number>;
}

export interface NumberReport {
  group: "tune" | "heldOut" | "all";
  perLength: LengthFigures[];
}

export function summariseNumbers(
  trials: NumberTrial[],
  group: NumberReport["group"],
): NumberReport {
  const chosen = trials.filter((t) => group === "all" || writerGroup(t.writer) === group);
  const lengths = [...new Set(chosen.map((t) => t.labels.length))].sort((a, b) => a - b);
  return {
    group,
    perLength: lengths.map((length) => {
      const these = chosen.filter((t) => t.labels.length === length);
      const outcomes: Record<NumberOutcome, number> = {
        right: 0,
        merged: 0,
        split: 0,
        "wrong digit": 0,
        unreadable: 0,
      };
      let digitsRight = 0;
      for (const t of these) {
        outcomes[outcome(t)]++;
        digitsRight += Math.max(0, length - editDistance(t.labels.join(""), t.read));
      }
      return {
        length,
        n: these.length,
        right: outcomes.right,
        accuracy: these.length ? outcomes.right / these.length : 0,
        digitAccuracy: these.length ? digitsRight / (these.length * length) : 0,
        outcomes,
      };
    }),
  };
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

export function formatNumberReport(report: NumberReport): string {
  const name = { tune: "writers 01–20", heldOut: "held-out writers 21–30", all: "all writers" };
  const lines = [`numbers by ${name[report.group]}:`];
  lines.push(
    "  digits      n   entirely right   digits right   merged  split  wrong digit  unreadable",
  );
  for (const f of report.perLength) {
    const o = f.outcomes;
    lines.push(
      `  ${String(f.length).padStart(6)} ${String(f.n).padStart(6)}   ${pct(f.accuracy).padStart(14)}   ${pct(f.digitAccuracy).padStart(12)}   ${String(o.merged).padStart(6)} ${String(o.split).padStart(6)} ${String(o["wrong digit"]).padStart(12)} ${String(o.unreadable).padStart(11)}`,
    );
  }
  return lines.join("\n");
}

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Every misread number as drawn (white on black, as on the pad) with "written → read" under it. */
export function misreadNumbersSheet(trials: NumberTrial[], penFraction: number): string {
  const misread = trials.filter((t) => outcome(t) !== "right");
  const rowHeight = 90;
  const caption = 16;
  const width = 900;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${misread.length * (rowHeight + caption) + 30}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="6" y="18" font-size="14">${misread.length} misread numbers (written → read)</text>`,
  ];
  misread.forEach((t, i) => {
    const points = t.strokes.flat();
    const minX = Math.min(...points.map((p) => p.x)) - penFraction;
    const maxX = Math.max(...points.map((p) => p.x)) + penFraction;
    const minY = Math.min(...points.map((p) => p.y)) - penFraction;
    const maxY = Math.max(...points.map((p) => p.y)) + penFraction;
    const k = Math.min((rowHeight - 6) / (maxY - minY), (width - 12) / (maxX - minX));
    const y = 30 + i * (rowHeight + caption);
    parts.push(`<g transform="translate(6,${y})">`);
    parts.push(
      `<rect width="${((maxX - minX) * k).toFixed(0)}" height="${((maxY - minY) * k).toFixed(0)}" fill="#000"/>`,
    );
    for (const stroke of t.strokes) {
      const d = stroke.map(
        (p) => `${((p.x - minX) * k).toFixed(1)},${((p.y - minY) * k).toFixed(1)}`,
      );
      parts.push(
        `<polyline points="${d.join(" ")}" fill="none" stroke="#fff" stroke-width="${(penFraction * k).toFixed(1)}" stroke-linecap="round" stroke-linejoin="round"/>`,
      );
    }
    const read = t.read || `nothing (${t.unreadable ?? "unreadable"})`;
    parts.push(
      `<text x="0" y="${rowHeight + 8}">${t.labels.join("")} → ${esc(read)} · ${outcome(t)} · ${esc(t.writer)}</text>`,
      "</g>",
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
