import type { InferenceRequest, InferenceResponse, Principal, RequestContext } from './inference.js';
import type { ModelConfig, ModelSignature } from './model.js';

/**
 * What a route does, as the gate sees it: every route of every protocol and
 * plugin declares one. `public` routes (health) skip authentication; the others
 * are authenticated and then authorised for their action on their model.
 */
export type RouteAction = 'infer' | 'explain' | 'feedback' | 'read' | 'monitor' | 'admin' | 'public';

/** The actions an authorizer decides on (every action but `public`). */
export type Action = Exclude<RouteAction, 'public'>;

/**
 * Establishes who is calling. Return `null` when the request carries none of
 * this scheme's credentials (another authenticator may accept it); throw
 * `PonteError('PONTE_UNAUTHENTICATED')` when credentials are present but wrong.
 *
 * @example
 * ```ts
 * const apiKey: Authenticator = { scheme: 'apikey', async authenticate(ctx) { return ctx.headers['x-api-key'] ? { id: 'svc', scheme: 'apikey' } : null; } };
 * ```
 */
export interface Authenticator {
  readonly scheme: string;
  /** May answer synchronously (a cached credential): core awaits only a promise. */
  authenticate(ctx: RequestContext): Principal | null | Promise<Principal | null>;
}

/**
 * Decides whether a principal may perform an action on a model (undefined for
 * server-wide routes); throw `PONTE_FORBIDDEN` to refuse.
 *
 * @example
 * ```ts
 * const readOnly: Authorizer = { authorize(p, action) { if (action !== 'read') throw new PonteError('PONTE_FORBIDDEN', `${action}: not allowed`); } };
 * ```
 */
export interface Authorizer {
  authorize(principal: Principal, action: Action, model: string | undefined, ctx: RequestContext): Promise<void> | void;
}

/**
 * Runs at the admit stage, before authentication and before the body is read,
 * so refusing is the cheapest thing the server does: throw a `PonteError`
 * (`PONTE_QUEUE_FULL`, a rate limit's 429 with Retry-After) to refuse.
 *
 * @example
 * ```ts
 * const closed: AdmissionCheck = { name: 'maintenance', admit() { throw new PonteError('PONTE_SHUTTING_DOWN', 'maintenance'); } };
 * ```
 */
export interface AdmissionCheck {
  readonly name: string;
  /**
   * Run after authentication and authorisation (still before the body is read)
   * so that `ctx.principal` is set: per-principal rate limits and quotas.
   */
  readonly needsPrincipal?: boolean;
  admit(ctx: RequestContext, action: RouteAction, model: string | undefined): void | Promise<void>;
}

/** The model a request resolved to, as validators, transforms and sinks see it. */
export interface ModelView {
  readonly name: string;
  readonly version: string;
  readonly config: ModelConfig;
  readonly signature: ModelSignature;
}

/**
 * Checks a request before the model runs. Throw `PonteError('PONTE_VALIDATION_FAILED', 'field: rule')`.
 * Validators run after core's signature check (names, datatypes, shapes), in
 * registration order.
 *
 * @example
 * ```ts
 * const noEmpty: Validator = { name: 'no-empty', validate(req) { if (req.inputs.length === 0) throw validationError('inputs', 'must not be empty'); } };
 * ```
 */
export interface Validator {
  readonly name: string;
  validate(request: InferenceRequest, model: ModelView, ctx: RequestContext): void | Promise<void>;
}

/**
 * Changes a request before the model or a response after it.
 *
 * @example
 * ```ts
 * const clip: Transform = { name: 'clip', postprocess: (res) => res };
 * ```
 */
export interface Transform {
  readonly name: string;
  /** Only applies to these models; all when omitted. */
  readonly models?: readonly string[];
  preprocess?(request: InferenceRequest, model: ModelView, ctx: RequestContext): InferenceRequest | Promise<InferenceRequest>;
  postprocess?(response: InferenceResponse, request: InferenceRequest, model: ModelView, ctx: RequestContext): InferenceResponse | Promise<InferenceResponse>;
}

/** Every stage core reports to observers, in lifecycle order. */
export const PIPELINE_STAGES = ['admit', 'authenticate', 'decode', 'resolve', 'validate', 'preprocess', 'queue', 'run', 'postprocess', 'encode'] as const;

export type PipelineStage = (typeof PIPELINE_STAGES)[number];

export interface RequestOutcome {
  /** HTTP-style status the caller got. */
  status: number;
  /** Error code when the request failed. */
  code?: string;
  durationMs: number;
}

/**
 * Watches requests without being able to slow or break them: core calls every
 * hook inside try/catch and never awaits it. Metrics and tracing are
 * observers; work that takes time after the answer (prediction logging,
 * monitoring) belongs in a `PredictionSink`.
 *
 * @example
 * ```ts
 * const counter: PipelineObserver = { name: 'count', onRequestEnd: (ctx, outcome) => { counts[outcome.status]++; } };
 * ```
 */
export interface PipelineObserver {
  readonly name: string;
  /** The stages `onStage` is called for; every stage when omitted. Core skips the rest (and their clock reads). */
  readonly stages?: readonly PipelineStage[];
  /**
   * Set when the observer follows only some requests (a sampling tracer): its
   * `onRequestStart` then returns whether it follows this one, and core calls
   * its `onStage` and `onRequestEnd` for followed requests only and skips the
   * clock reads of stages no one else watches — a request it does not follow
   * costs it that one call. At most 31 selective observers per server; any
   * beyond are called for every request.
   */
  readonly selective?: boolean;
  /** For a `selective` observer: return `true` to follow this request. Other observers' return values are ignored. */
  onRequestStart?(ctx: RequestContext): boolean | void;
  onStage?(ctx: RequestContext, stage: PipelineStage, startedAt: number, durationMs: number): void;
  onRequestEnd?(ctx: RequestContext, outcome: RequestOutcome): void;
  onBatch?(model: string, version: string, batchSize: number, queueDepth: number): void;
  onModelState?(model: string, version: string, state: string, loadDurationMs?: number): void;
}
