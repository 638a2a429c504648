/**
 * Marked sections of docs/benchmarks.md that survive regeneration: the
 * hand-written notes at the top, and the last soak when a run has none.
 *
 * A section is the text between `<!-- bench:NAME:begin -->` and
 * `<!-- bench:NAME:end -->`, markers included.
 */

const begin = (name: string): string => `<!-- bench:${name}:begin -->`;
const end = (name: string): string => `<!-- bench:${name}:end -->`;

/** A section wrapped in its markers. */
export function section(name: string, content: string): string {
  return `${begin(name)}\n${content.trim()}\n${end(name)}`;
}

/** The marked section (markers included) from `text`, if it has one. */
export function extractSection(text: string, name: string): string | undefined {
  const a = text.indexOf(begin(name));
  const b = text.indexOf(end(name), a);
  return a >= 0 && b > a ? text.slice(a, b + end(name).length) : undefined;
}

/**
 * Takes a freshly generated report and puts back the named sections of the
 * previous file, so that hand-written analysis (and an older soak) is kept.
 * Sections the previous file lacks keep their generated default.
 *
 * @example mergeReport(readFileSync('docs/benchmarks.md', 'utf8'), generated, ['notes'])
 */
export function mergeReport(previous: string | undefined, generated: string, keep: string[]): string {
  let out = generated;
  for (const name of keep) {
    const old = previous === undefined ? undefined : extractSection(previous, name);
    const fresh = extractSection(out, name);
    if (old !== undefined && fresh !== undefined) out = out.replace(fresh, () => old);
  }
  return out;
}
