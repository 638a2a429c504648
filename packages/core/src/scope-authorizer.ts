import { PonteError } from './errors.js';
import type { Action, Authorizer } from './extension-points.js';
import type { Principal } from './inference.js';

/**
 * Whether scopes grant an action on a model. A scope is `<action>:<model>`,
 * either part `*`; a server-wide route (no model) needs a scope whose model
 * part is `*`, so `read:purchase` does not open the server's OpenAPI document.
 *
 * @example
 * ```ts
 * scopeAllows(['infer:purchase', 'read:*'], 'infer', 'purchase'); // true
 * ```
 */
export function scopeAllows(scopes: readonly string[] | undefined, action: Action, model: string | undefined): boolean {
  if (scopes === undefined) return false;
  for (const scope of scopes) {
    const colon = scope.indexOf(':');
    if (colon < 0) continue;
    const a = scope.slice(0, colon);
    const m = scope.slice(colon + 1);
    if (a !== '*' && a !== action) continue;
    if (m === '*' || (model !== undefined && m === model)) return true;
  }
  return false;
}

/** The scope rule every scope must follow, for plugins that read scopes from config. */
export const SCOPE_PATTERN = '^(\\*|infer|explain|feedback|read|monitor|admin):(\\*|[A-Za-z0-9][A-Za-z0-9._-]*)$';

/**
 * Core's authorizer when a plugin loads an authenticator and none loads an
 * authorizer: the principal's scopes decide (see `scopeAllows`). The refusal
 * names the action and model, never the credential.
 */
export class ScopeAuthorizer implements Authorizer {
  authorize(principal: Principal, action: Action, model: string | undefined): void {
    if (!scopeAllows(principal.scopes, action, model)) {
      throw new PonteError('PONTE_FORBIDDEN', `forbidden: this credential has no scope for ${action}:${model ?? '*'}`);
    }
  }
}
