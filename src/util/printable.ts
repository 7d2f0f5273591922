/**
 * Text from outside (file names above all) made safe to print on one terminal line: control
 * characters, line and paragraph separators and bidirectional overrides are written as escapes,
 * and such a name is quoted so that the escapes cannot be mistaken for the name's own characters.
 * Ordinary names come back unchanged.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const UNSAFE_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff"\\]/gu;
const NAMED: Record<string, string> = {
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  '"': '\\"',
  "\\": "\\\\",
};

export function printable(text: string): string {
  if (!UNSAFE.test(text)) return text;
  const escaped = text.replace(
    UNSAFE_ALL,
    (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `"${escaped}"`;
}

/** A message made one line: control characters escaped, no quoting (names inside are printable already). */
export function oneLine(text: string): string {
  return text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: as above
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/gu,
    (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
