/**
 * Where a model's versions come from: lists the version folders of a model
 * source, makes one available as a local folder (a local store returns the
 * folder itself; a remote one downloads it first), and may watch for new
 * versions. Core's model registry reads every model through the store whose
 * `scheme` matches its `source` (`file` for plain paths).
 *
 * @example
 * ```ts
 * const s3: ModelStore = { scheme: 's3', list: async (src) => listPrefixes(src), fetch: async (src, v) => download(src, v) };
 * ```
 */
export interface ModelStore {
  /** URL scheme this store serves (`file`, `s3`, `gs` …). */
  readonly scheme: string;
  /** Version folder names under a model source, in any order. */
  list(source: string): Promise<string[]>;
  /** A local folder holding the files of one version. */
  fetch(source: string, version: string): Promise<string>;
  /** Calls `onChange` when the versions under `source` change; returns a function that stops watching. */
  watch?(source: string, onChange: () => void): () => void;
}

/** The scheme of a model source: `s3` for `s3://bucket/m`, `file` for a plain path. */
export function schemeOf(source: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(source);
  return m === null ? 'file' : m[1]!.toLowerCase();
}
