/** Exit codes: 0 ok, 1 runtime failure, 2 bad usage or invalid config. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;
