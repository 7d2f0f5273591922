/**
 * JSON laid out the way `biome format` lays it out (2-space indent, lines up to 100 columns,
 * arrays of numbers filled line by line), so a file a script writes passes `biome check` as is
 * instead of needing a reformat after every run. Handles what the scripts write: objects of
 * strings, numbers and flat arrays of numbers.
 */
const LINE_WIDTH = 100;

type Flat = string | number | boolean | null | number[];

/** A number as JSON writes it, less the "+" of a positive exponent, which biome drops. */
const numberText = (x: number) => JSON.stringify(x).replace("e+", "e");

function fill(items: string[], indent: string): string {
  const lines: string[] = [];
  let line = "";
  for (const [i, item] of items.entries()) {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (line && indent.length + line.length + 1 + piece.length > LINE_WIDTH) {
      lines.push(indent + line);
      line = piece;
    } else line = line ? `${line} ${piece}` : piece;
  }
  if (line) lines.push(indent + line);
  return lines.join("\n");
}

/** `value` as biome formats it, with a final newline. */
export function biomeJson(value: Record<string, Flat>): string {
  const entries = Object.entries(value);
  const lines = entries.map(([key, v], i) => {
    const head = `  ${JSON.stringify(key)}: `;
    const comma = i < entries.length - 1 ? "," : "";
    if (typeof v === "number") return `${head}${numberText(v)}${comma}`;
    if (!Array.isArray(v)) return `${head}${JSON.stringify(v)}${comma}`;
    const items = v.map(numberText);
    const inline = `${head}[${items.join(", ")}]${comma}`;
    if (inline.length <= LINE_WIDTH) return inline;
    return `${head}[\n${fill(items, "    ")}\n  ]${comma}`;
  });
  return `{\n${lines.join("\n")}\n}\n`;
}
