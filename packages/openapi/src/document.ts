import type { ModelRegistry, ModelView } from '@ponte/core';
import type { HttpRoute } from '@ponte/http';
import { sharedComponents } from './components.js';
import { modelVersionSection } from './model-paths.js';
import type { OpenApiDocument, PathItemObject, SchemaObject } from './openapi-types.js';
import { routePaths, TAGS } from './protocol-paths.js';
import { applySecurity, type SecurityContribution } from './security.js';

/** The parts of the model registry the document reads. */
export type ModelCatalog = Pick<ModelRegistry, 'names' | 'config' | 'versions' | 'resolve' | 'problem'>;

/** What the document describes besides the models. */
export interface DocumentContext {
  /** `server.name` of the config. */
  serverName: string;
  /** Ponte's version. */
  serverVersion: string;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  /** Names of the loaded validators, so readers know which feature rules are enforced. */
  validators: readonly string[];
  /** `info.title`; default `"<server name> — Ponte"`. */
  title?: string;
  /** URLs for `servers`; none means relative to where the document was fetched. */
  servers: readonly string[];
  /** The auth seam; undefined today. */
  security?: SecurityContribution;
  /** Every REST route, from the route table. */
  routes: readonly HttpRoute[];
}

function versionsOf(registry: ModelCatalog, name: string): ModelView[] {
  const out: ModelView[] = [];
  for (const s of registry.versions(name)) {
    if (s.state !== 'ready') continue;
    try {
      out.push(registry.resolve(name, s.version));
    } catch {
      // Unloaded between the two calls: describe it on the next build.
    }
  }
  return out;
}

function modelTag(registry: ModelCatalog, name: string, ready: ModelView[], predictProblem: string | undefined): { name: string; description: string } {
  const config = registry.config(name);
  const lines: string[] = [];
  if (config.description !== undefined) lines.push(config.description);
  const states = registry.versions(name).map((v) => `${v.version} (${v.state}${v.reason !== undefined ? `: ${v.reason}` : ''})`);
  lines.push(`Versions: ${states.join(', ') || 'none'}.`);
  const newest = ready[0];
  if (newest === undefined) {
    lines.push(`**Not ready** (${registry.problem(name) ?? 'loading'}): its model-specific paths appear here once a version is ready.`);
  } else {
    const sig = newest.signature;
    lines.push(`Inputs: ${sig.inputs.map((s) => `\`${s.name}\` ${s.datatype} [${s.shape.join(', ')}]`).join(', ')}. Outputs: ${sig.outputs.map((s) => `\`${s.name}\` ${s.datatype} [${s.shape.join(', ')}]`).join(', ')}.`);
    if (config.labels !== undefined) lines.push(`Labels: ${config.labels.join(', ')}.`);
    if (predictProblem !== undefined) lines.push(`The named-feature API cannot serve this model: ${predictProblem}.`);
  }
  return { name, description: lines.join('\n\n') };
}

function infoDescription(ctx: DocumentContext, names: string[]): string {
  return [
    `Ponte ${ctx.serverVersion} deployment "${ctx.serverName}" serving ${names.length} model${names.length === 1 ? '' : 's'}: ${names.join(', ') || 'none'}.`,
    'Two APIs reach every model: the **Open Inference Protocol v2** (KServe/Triton compatible tensors, `/v2/...`, with the `binary_tensor_data` extension) and the **named-feature API** (`POST /v1/models/{name}:predict` with rows of named features). Each model also has its own paths below, with request and response schemas derived from its signature and feature config and a working example.',
    'Every error is `{"error": string, "code": string}` with a stable `PONTE_…` code. Send `X-Request-Id` to correlate logs (it is echoed back) and `X-Request-Timeout-Ms` to bound a request.',
    `Feature rules (ranges, allowed values) are enforced by the loaded validators: ${ctx.validators.length > 0 ? ctx.validators.join(', ') : 'none — only names, types and shapes are checked'}.`,
    ctx.security === undefined ? 'This document declares no security schemes: authentication is not described yet.' : '',
  ].filter((s) => s !== '').join('\n\n');
}

/** Tags of plugin routes (metrics, documents …) beside the protocol's own. */
function pluginTags(routes: readonly HttpRoute[]): Array<{ name: string; description: string }> {
  const own = new Set<string>(Object.values(TAGS));
  const names = [...new Set(routes.map((r) => r.docs?.tag ?? 'Plugins'))].filter((t) => !own.has(t));
  return names.map((name) => ({ name, description: `Routes added by plugins (${name}).` }));
}

/**
 * Builds the OpenAPI 3.1 document of a deployment: the protocol paths for any
 * model, then, for each configured model, concrete paths for its newest ready
 * version and for every ready version, with schemas derived from the
 * signature and feature config. Models that are not ready are listed with the
 * reason and get their paths once ready.
 *
 * @example
 * ```ts
 * const doc = buildDocument(registry, { serverName: 'ponte', serverVersion: '0.1.0', bodyLimitBytes: 1e7, requestTimeoutMs: 30000, validators: [], servers: [] });
 * doc.paths['/v1/models/purchase:predict'];
 * ```
 */
export function buildDocument(registry: ModelCatalog, ctx: DocumentContext): OpenApiDocument {
  const components = sharedComponents(ctx);
  const schemas = components.schemas as Record<string, SchemaObject>;
  const paths: Record<string, PathItemObject> = routePaths(ctx.routes);
  const modelTags: Array<{ name: string; description: string }> = [];
  const names = registry.names();
  for (const name of names) {
    const ready = versionsOf(registry, name);
    let predictProblem: string | undefined;
    ready.forEach((view, i) => {
      const section = modelVersionSection(view, i === 0);
      Object.assign(schemas, section.schemas);
      Object.assign(paths, section.paths);
      if (i === 0) predictProblem = section.predictProblem;
    });
    modelTags.push(modelTag(registry, name, ready, predictProblem));
  }
  const doc: OpenApiDocument = {
    openapi: '3.1.0',
    info: { title: ctx.title ?? `${ctx.serverName} — Ponte`, version: ctx.serverVersion, description: infoDescription(ctx, names) },
    ...(ctx.servers.length > 0 ? { servers: ctx.servers.map((url) => ({ url })) } : {}),
    tags: [
      ...modelTags,
      { name: TAGS.predict, description: 'Rows of named features in, readable predictions out, for any model.' },
      { name: TAGS.oip, description: 'Open Inference Protocol v2 (KServe/Triton compatible), for any model.' },
      { name: TAGS.server, description: 'Server metadata.' },
      { name: TAGS.health, description: 'Liveness and readiness probes (never authenticated).' },
      ...pluginTags(ctx.routes),
    ],
    paths,
    components,
  };
  applySecurity(doc, ctx.security, ctx.routes);
  return doc;
}
