/**
 * A Node module resolution hook (registered by plugin-imports.ts): a plugin that lives outside
 * the installation — a file next to the config, in another folder — imports `@ponte/core` (or
 * another `@ponte/*` package) and finds nothing from where it lives. Its bare `@ponte/…` imports
 * that fail from there are resolved from core's own location instead, so the plugin gets the very
 * core that is running (the same module instance, so its tokens are the server's tokens).
 */
interface ResolveContext { parentURL?: string | undefined; conditions?: readonly string[] }
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<{ url: string }> | { url: string };

const CORE_URL = import.meta.url;

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<{ url: string }> {
  if (!specifier.startsWith('@ponte/')) return next(specifier, context);
  try {
    return await next(specifier, context);
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND' || context.parentURL === CORE_URL) throw e;
    return next(specifier, { ...context, parentURL: CORE_URL });
  }
}
