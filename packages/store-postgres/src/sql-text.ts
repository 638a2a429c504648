/**
 * JSON as PostgreSQL takes it. `jsonb` (and `text` read from JSON) refuses the
 * escapes `\u0000` and lone surrogates (`\ud800`), which `JSON.stringify`
 * does emit: one such string from a caller would make the whole batch of
 * predictions fail. Both become U+FFFD, the replacement character, so only
 * that value changes.
 *
 * @example
 * ```ts
 * jsonbText({ note: 'a\u0000b' }); // '{"note":"a\\ufffdb"}'
 * ```
 */
export function jsonbText(value: unknown): string {
  const json = JSON.stringify(value);
  // JSON.stringify escapes a surrogate only when it is alone, so every \ud800–\udfff escape it wrote is one.
  // The lookbehind skips escaped backslashes ("\\u0000" is a backslash then "u0000", not an escape).
  return json.includes('\\u') ? json.replace(/(?<=(?:^|[^\\])(?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi, '\\ufffd') : json;
}

/** A string parameter `text` accepts (a model name from a URL may hold %00): NUL characters become U+FFFD. */
export function textValue(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '\ufffd') : value;
}
