// The calibration script writes the check's weights in biome's layout, so a fresh fit passes
// `biome check` untouched: laying out the shipped file again must give it back byte for byte.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { biomeJson } from "../../scripts/lib/biome-json.ts";

test("the shipped weights file is exactly what biomeJson writes for its contents", () => {
  const text = readFileSync(
    new URL("../../src/recognize/not-a-digit.json", import.meta.url),
    "utf8",
  );
  assert.equal(biomeJson(JSON.parse(text)), text);
});

test("biomeJson: short arrays on one line, long ones filled to 100 columns, no '+' exponents", () => {
  const long = Array.from({ length: 40 }, (_, i) => i * 1000.5);
  const text = biomeJson({ name: "x", big: 1e21, short: [1, 2], long });
  const lines = text.split("\n");
  assert.equal(lines[0], "{");
  assert.equal(lines[1], '  "name": "x",');
  assert.equal(lines[2], '  "big": 1e21,');
  assert.equal(lines[3], '  "short": [1, 2],');
  assert.equal(lines[4], '  "long": [');
  const filled = lines.slice(5, lines.indexOf("  ]"));
  assert.ok(filled.length > 1);
  for (const line of filled) assert.ok(line.startsWith("    ") && line.length <= 100, line);
  // Each filled line is full: the next line's first number would not have fitted after it.
  for (let i = 0; i + 1 < filled.length; i++) {
    const next = filled[i + 1].trim().split(" ")[0];
    assert.ok(filled[i].length + 1 + next.length > 100, `line ${i} could take ${next}`);
  }
  assert.deepEqual(JSON.parse(text).long, long);
  assert.ok(text.endsWith("  ]\n}\n"));
});
