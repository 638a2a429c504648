/** JSON.stringify of recurring strings (paths, model names), remembered up to a bound since paths come from callers. */
export class QuotedStrings {
  private readonly cache = new Map<string, string>();

  get(s: string): string {
    let q = this.cache.get(s);
    if (q === undefined) {
      q = JSON.stringify(s);
      if (this.cache.size >= 256) this.cache.clear();
      if (s.length <= 256) this.cache.set(s, q);
    }
    return q;
  }
}
