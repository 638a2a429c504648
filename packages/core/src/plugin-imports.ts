import { register } from 'node:module';

let registered = false;

/**
 * Lets plugins outside the installation import `@ponte/core` and the other `@ponte/*` packages
 * (ponte-resolve-hook.ts). Registered once, when a config names a plugin by path; a hook runs
 * on a thread of its own, which a config of installed packages does not need.
 */
export function resolvePonteImportsFromCore(): void {
  if (registered) return;
  registered = true;
  register(new URL('./ponte-resolve-hook.js', import.meta.url));
}
