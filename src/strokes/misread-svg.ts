import type { PadPath } from "./placement.ts";

export interface Misread {
  label: number;
  predicted: number;
  probability: number;
  writer: string;
  paths: PadPath[]; // in a padSize square, y down
}

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A contact sheet of misread digits as one SVG: each drawn as on the pad (white on black), with
 * "written → read (probability, writer)" under it. Opens in any browser.
 */
export function misreadSheet(
  items: Misread[],
  padSize: number,
  penWidth: number,
  columns = 10,
): string {
  const cell = 96;
  const caption = 28;
  const rows = Math.max(1, Math.ceil(items.length / columns));
  const width = columns * cell;
  const height = rows * (cell + caption) + 30;
  const k = (cell - 8) / padSize;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="6" y="18" font-size="14">${items.length} misread digits (written → read)</text>`,
  ];
  items.forEach((m, i) => {
    const x = (i % columns) * cell + 4;
    const y = Math.floor(i / columns) * (cell + caption) + 30;
    parts.push(`<g transform="translate(${x},${y})">`);
    parts.push(`<rect width="${cell - 8}" height="${cell - 8}" fill="#000"/>`);
    for (const path of m.paths) {
      const d = path.map(([px, py]) => `${(px * k).toFixed(1)},${(py * k).toFixed(1)}`).join(" ");
      parts.push(
        path.length === 1
          ? `<circle cx="${(path[0][0] * k).toFixed(1)}" cy="${(path[0][1] * k).toFixed(1)}" r="${((penWidth * k) / 2).toFixed(1)}" fill="#fff"/>`
          : `<polyline points="${d}" fill="none" stroke="#fff" stroke-width="${(penWidth * k).toFixed(1)}" stroke-linecap="round" stroke-linejoin="round"/>`,
      );
    }
    parts.push(
      `<text x="0" y="${cell + 2}">${m.label} → ${m.predicted} (${(m.probability * 100).toFixed(0)}%)</text>`,
      `<text x="0" y="${cell + 15}" fill="#666">${esc(m.writer)}</text>`,
      "</g>",
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
