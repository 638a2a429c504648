import { inject, injectAll, injectable } from 'tsyringe';
import type { Logger } from 'pino';
import type { AuditLog, AuditRequest } from './audit-log.js';
import type { PonteConfig } from './config/config-types.js';
import { DeadlineWatch } from './deadline-watch.js';
import { isPonteError, PonteError, toPonteError } from './errors.js';
import type { Action, AdmissionCheck, Authenticator, Authorizer, PipelineStage, Transform, Validator } from './extension-points.js';
import { instancesToRequest } from './features/instances.js';
import type { InferenceRequest, InferenceResponse, Principal, RequestContext } from './inference.js';
import type { Lifecycle } from './lifecycle.js';
import type { ObserverHub } from './observer-hub.js';
import { isInferenceRoute, type Exchange, type RouteHandler } from './protocol.js';
import { ModelRegistry, type ReadyModel } from './registry/model-registry.js';
import { checkSignature } from './registry/signature-check.js';
import type { VersionRouter } from './registry/version-router.js';
import { requestLogger, type RequestLogEntry } from './request-log.js';
import type { PredictionRecord } from './sinks/prediction-sink.js';
import type { SinkHub } from './sinks/sink-hub.js';
import type { PredictionLog } from './store/prediction-log.js';
import type { Parameter } from './tensor.js';
import { Tokens } from './tokens.js';

const ANONYMOUS: Principal = Object.freeze({ id: 'anonymous', scheme: 'anonymous' });

/**
 * The one request lifecycle, written once, that every protocol and every
 * route runs. A protocol supplies an `Exchange` (who asks for what, and how it
 * words an error) and a route handler (decode and encode, or a plain answer);
 * everything else happens here, in this order:
 *
 * admit → authenticate → authorize → decode → resolve → validate → preprocess
 * → run (batch queue) → postprocess → encode → respond → after-response sinks
 *
 * plus lifecycle enter/leave (drain waits for every request), deadlines,
 * observers (told each stage; they cannot slow or break the answer) and the
 * request log. `handle` never throws: every failure becomes the protocol's
 * error answer.
 *
 * @example
 * ```ts
 * const answer = await pipeline.handle(exchange, route); // then the protocol writes it
 * ```
 */
@injectable()
export class RequestPipeline {
  private readonly deadlines = new DeadlineWatch();
  private readonly log: ((entry: RequestLogEntry) => void) | undefined;
  private readonly defaultTimeoutMs: number;
  /** Whether the gate has work: authenticators or an authorizer are registered. */
  private readonly hasGate: boolean;
  /** Admission checks that run before the gate, and those that need the principal. */
  private readonly admitFirst: readonly AdmissionCheck[];
  private readonly admitAfterGate: readonly AdmissionCheck[];

  constructor(
    @inject(Tokens.Config) config: PonteConfig,
    @inject(Tokens.Logger) private readonly logger: Logger,
    @inject(Tokens.Lifecycle) private readonly lifecycle: Lifecycle,
    @inject(Tokens.VersionRouter) private readonly router: VersionRouter,
    @inject(Tokens.ObserverHub) private readonly hub: ObserverHub,
    @inject(Tokens.SinkHub) private readonly sinks: SinkHub,
    @injectAll(Tokens.AdmissionCheck, { isOptional: true }) admission: readonly AdmissionCheck[],
    @injectAll(Tokens.Authenticator, { isOptional: true }) private readonly authenticators: readonly Authenticator[],
    @inject(Tokens.Authorizer, { isOptional: true }) private readonly authorizer: Authorizer | undefined,
    @injectAll(Tokens.Validator, { isOptional: true }) private readonly validators: readonly Validator[],
    @injectAll(Tokens.Transform, { isOptional: true }) private readonly transforms: readonly Transform[],
    @inject(Tokens.PredictionLog, { isOptional: true }) private readonly predictionLog: PredictionLog | undefined,
    @inject(Tokens.AuditLog) private readonly audit: AuditLog,
  ) {
    this.defaultTimeoutMs = config.server.requestTimeoutMs;
    this.log = config.logging.requests ? requestLogger(logger) : undefined;
    this.hasGate = authenticators.length > 0 || authorizer !== undefined;
    this.admitFirst = admission.filter((c) => c.needsPrincipal !== true);
    this.admitAfterGate = admission.filter((c) => c.needsPrincipal === true);
  }

  /** Runs one request through the lifecycle and returns the protocol's answer; never throws. */
  async handle<X extends Exchange<A>, A>(x: X, route: RouteHandler<X, A>): Promise<A> {
    const startedAt = performance.now();
    let ctx: RequestContext | undefined;
    let answer: A;
    let failed: string | undefined;
    let entered = false;
    let passedGate = false;
    const gated = x.action !== 'public';
    // API traffic is counted in flight (a drain waits for it) and observed; infrastructure routes
    // (probes, scrapes, documents, unknown paths) are neither, so they answer during a drain and
    // do not blur request metrics, error-rate alerts or traces.
    const tracked = x.tracked ?? gated;
    try {
      if (tracked) {
        this.lifecycle.enter();
        entered = true;
      }
      ctx = this.context(x, startedAt);
      if (tracked) this.hub.requestStart(ctx);

      // admit: the cheapest refusals, before credentials are checked or the body is read.
      let t = performance.now();
      const inference = isInferenceRoute(route);
      let model: ReadyModel | undefined;
      let unresolved: unknown;
      if (inference && x.model !== undefined) {
        try {
          model = this.router.route(x.model, x.version, ctx);
        } catch (e) {
          unresolved = e;
        }
        if (model !== undefined) ModelRegistry.admit(model);
      }
      if (gated) {
        for (const check of this.admitFirst) {
          const pending = check.admit(ctx, x.action, x.model);
          if (pending !== undefined) await pending;
        }
        if (tracked) this.stage(ctx, 'admit', t);
        // authenticate → authorize
        t = performance.now();
        if (this.hasGate) {
          const pending = this.gate(ctx, x.action as Action, x.model, x);
          if (pending !== undefined) await pending;
        }
        else ctx.principal = ANONYMOUS;
        passedGate = true;
        if (tracked) this.stage(ctx, 'authenticate', t);
        // Per-principal limits: still before the body is read.
        for (const check of this.admitAfterGate) {
          const pending = check.admit(ctx, x.action, x.model);
          if (pending !== undefined) await pending;
        }
      }

      if (!inference) answer = await route.respond(x, ctx);
      else {
        // An unknown or unready model is reported before its body is read: a 404 is not a complaint about the body.
        if (unresolved !== undefined) throw unresolved;

        t = performance.now();
        let request = await route.decode(x, ctx);
        applyTimeoutParameter(ctx, request.parameters);
        this.stage(ctx, 'decode', t);

        t = performance.now();
        if (model === undefined || request.model !== x.model || request.version !== x.version) model = this.router.route(request.model, request.version, ctx);
        ctx.model = model.name;
        ctx.version = model.version;
        if (request.inputs.length === 0 && request.rows !== undefined) request = bindRows(request, model);
        this.stage(ctx, 'resolve', t);

        t = performance.now();
        checkSignature(request, model.signature);
        for (const v of this.validators) {
          // Most validators are synchronous: awaiting their undefined would still cost a microtask each.
          const pending = v.validate(request, model, ctx);
          if (pending !== undefined) await pending;
        }
        this.stage(ctx, 'validate', t);

        const transforms = this.transforms.length === 0 ? this.transforms : this.transforms.filter((tr) => tr.models === undefined || tr.models.includes(model!.name));
        if (transforms.length > 0) {
          t = performance.now();
          for (const tr of transforms) if (tr.preprocess) request = await tr.preprocess(request, model, ctx);
          this.stage(ctx, 'preprocess', t);
        }

        const queuedAt = performance.now();
        let result;
        try {
          const run = { inputs: request.inputs, ...(request.outputs ? { outputs: request.outputs.map((o) => o.name) } : {}), ...(request.parameters ? { parameters: request.parameters } : {}) };
          result = await this.deadlines.race(model.runner.run(run, { deadline: ctx.deadline }), ctx.deadline);
        } catch (e) {
          throw toPonteError(e, 'PONTE_MODEL_RUN_FAILED');
        }
        ctx.batchSize = result.batchSize;
        this.hub.stage(ctx, 'queue', queuedAt, result.queueMs);
        this.hub.stage(ctx, 'run', queuedAt + result.queueMs, result.runMs);

        let response: InferenceResponse = { model_name: model.name, model_version: model.version, outputs: result.outputs };
        if (request.id !== undefined) response.id = request.id;
        if (transforms.length > 0) {
          t = performance.now();
          for (const tr of transforms) if (tr.postprocess) response = await tr.postprocess(response, request, model, ctx);
          this.stage(ctx, 'postprocess', t);
        }

        // The prediction log's id reaches the caller in the answer's parameters (OIP `id` stays the caller's).
        const predictionId = this.predictionLog?.idFor(model);
        if (predictionId !== undefined) response.parameters = response.parameters === undefined ? { prediction_id: predictionId } : { ...response.parameters, prediction_id: predictionId };

        t = performance.now();
        answer = route.encode(x, { request, response, model }, ctx);
        this.stage(ctx, 'encode', t);

        // after-response sinks: a push per sink; they run once the answer is written.
        if (this.sinks.active) {
          // Built field by field: object spreads here would cost more than the rest of the hand-off.
          const record: { -readonly [K in keyof PredictionRecord]: PredictionRecord[K] } = {
            requestId: ctx.requestId,
            time: performance.timeOrigin + startedAt,
            protocol: ctx.protocol,
            endpoint: ctx.endpoint,
            principal: ctx.principal?.id ?? ANONYMOUS.id,
            model: model.view,
            inputs: request.inputs,
            outputs: response.outputs,
            timings: { totalMs: performance.now() - startedAt, queueMs: result.queueMs, runMs: result.runMs },
          };
          if (predictionId !== undefined) record.predictionId = predictionId;
          const traceparent = ctx.headers['traceparent'];
          if (traceparent !== undefined) record.traceparent = traceparent;
          if (request.parameters !== undefined) record.parameters = request.parameters;
          this.sinks.offer(record);
        }
      }
    } catch (e) {
      const pe = this.toError(x, e);
      failed = pe.code;
      answer = x.fail(pe, ctx);
    } finally {
      if (entered) this.lifecycle.leave();
    }
    const status = x.statusOf(answer);
    // Admin actions past the gate are audited with their outcome; refused ones were, by the gate.
    if (passedGate && x.action === 'admin' && ctx?.principal !== undefined && this.audit.enabled) {
      this.audit.admin({ ...auditRequest(ctx, x), principal: ctx.principal.id, action: x.endpoint, ...(x.model !== undefined ? { model: x.model } : {}), ...(x.version !== undefined ? { version: x.version } : {}), outcome: failed ?? 'ok', status });
    }
    if (ctx !== undefined && tracked && this.hub.watchesEnd(ctx)) {
      const durationMs = performance.now() - startedAt;
      this.hub.requestEnd(ctx, failed === undefined ? { status, durationMs } : { status, code: failed, durationMs });
    }
    if (this.log !== undefined) {
      this.log({
        requestId: x.requestId,
        protocol: x.protocol === 'rest' ? undefined : x.protocol,
        method: x.method,
        path: x.path,
        status,
        code: x.logsCode === true ? failed ?? 'OK' : undefined,
        ms: Math.round((performance.now() - startedAt) * 1000) / 1000,
        model: ctx?.model,
        version: ctx?.version,
      });
    }
    return answer;
  }

  private context<A>(x: Exchange<A>, startedAt: number): RequestContext {
    const asked = x.timeoutMs();
    const timeoutMs = asked === undefined ? this.defaultTimeoutMs : Math.min(asked, this.defaultTimeoutMs);
    return { requestId: x.requestId, protocol: x.protocol, endpoint: x.endpoint, headers: x.headers, peer: x.peerCertificate?.(), startedAt, deadline: startedAt + timeoutMs, observerMask: 0, attributes: new Map() };
  }

  /** Reports a stage to the observers watching it. */
  private stage(ctx: RequestContext, stage: PipelineStage, startedAt: number): void {
    if (this.hub.watches(ctx, stage)) this.hub.stage(ctx, stage, startedAt, performance.now() - startedAt);
  }

  /** Authenticate (the first authenticator that recognises the credentials wins), then authorize the route's action. */
  /**
   * Authenticate, then authorize. Synchronous unless an authenticator or the
   * authorizer answers with a promise: a cached credential (an API key seen
   * before) costs no turn of the microtask queue. Refusals go to the audit log.
   */
  private gate<A>(ctx: RequestContext, action: Action, model: string | undefined, x: Exchange<A>): void | Promise<void> {
    const refused = (e: unknown): never => {
      if (this.audit.enabled && isPonteError(e) && (e.status === 401 || e.status === 403)) {
        this.audit.refused({ ...auditRequest(ctx, x), status: e.status, code: e.code, reason: e.message, action, ...(model !== undefined ? { model } : {}), ...(e.status === 403 && ctx.principal !== undefined ? { principal: ctx.principal.id } : {}) });
      }
      throw e;
    };
    try {
      const pending = this.authenticators.length === 0 ? this.accept(ANONYMOUS, ctx, action, model) : this.authenticateFrom(0, ctx, action, model);
      return pending === undefined ? undefined : pending.catch(refused);
    } catch (e) {
      return refused(e);
    }
  }

  /** Asks the authenticators from the `i`-th on: the first that recognises the credentials wins. */
  private authenticateFrom(i: number, ctx: RequestContext, action: Action, model: string | undefined): void | Promise<void> {
    for (; i < this.authenticators.length; i++) {
      const answer = this.authenticators[i]!.authenticate(ctx);
      if (answer instanceof Promise) {
        const next = i + 1;
        return answer.then((principal) => (principal !== null ? this.accept(principal, ctx, action, model) : this.authenticateFrom(next, ctx, action, model)));
      }
      if (answer !== null) return this.accept(answer, ctx, action, model);
    }
    throw new PonteError('PONTE_UNAUTHENTICATED', `credentials required (${this.authenticators.map((a) => a.scheme).join(' or ')})`, { headers: { 'WWW-Authenticate': [...new Set(this.authenticators.map((a) => challenge(a.scheme)))].join(', ') } });
  }

  private accept(principal: Principal, ctx: RequestContext, action: Action, model: string | undefined): void | Promise<void> {
    ctx.principal = principal;
    if (this.authorizer !== undefined) return this.authorizer.authorize(principal, action, model, ctx);
  }

  /** Any failure as a PonteError; unexpected errors are logged with the request id and answered without detail. */
  private toError<A>(x: Exchange<A>, e: unknown): PonteError {
    let pe: PonteError;
    if (isPonteError(e)) {
      pe = e;
      if (pe.status >= 500) this.logger.error({ requestId: x.requestId, code: pe.code, err: pe.cause ?? pe }, pe.message);
    } else {
      this.logger.error({ requestId: x.requestId, err: e }, 'unhandled error');
      pe = new PonteError('PONTE_INTERNAL', `internal server error (request id ${x.requestId})`, { cause: e });
    }
    return pe;
  }
}

/** Applies the OIP `timeout` request parameter (microseconds, as Triton defines it) to the deadline. */
export function applyTimeoutParameter(ctx: RequestContext, parameters: Record<string, Parameter> | undefined): void {
  const t = parameters?.['timeout'];
  if (t === undefined) return;
  if (typeof t !== 'number' || !(t > 0)) throw new PonteError('PONTE_BAD_REQUEST', 'parameters.timeout: must be a positive number of microseconds');
  const deadline = ctx.startedAt + t / 1000;
  if (deadline < ctx.deadline) ctx.deadline = deadline;
}

/** Maps named rows (the named-feature API) to the resolved model's input tensors. */
function bindRows(request: InferenceRequest, model: ReadyModel): InferenceRequest {
  const mapped = instancesToRequest(request.rows, model.config, model.signature, request.model, request.version);
  if (request.id !== undefined) mapped.id = request.id;
  if (request.outputs !== undefined) mapped.outputs = request.outputs;
  if (request.parameters !== undefined) mapped.parameters = request.parameters;
  return mapped;
}

/** Who asked, for an audit line: the caller's address when the protocol knows it. */
function auditRequest<A>(ctx: RequestContext, x: Exchange<A>): AuditRequest {
  const remoteAddress = x.remoteAddress?.();
  return { requestId: ctx.requestId, protocol: ctx.protocol, endpoint: ctx.endpoint, ...(remoteAddress !== undefined ? { remoteAddress } : {}) };
}

/** The `WWW-Authenticate` challenge of a scheme (RFC 9110 §11.6.1). */
function challenge(scheme: string): string {
  return scheme === 'apikey' || scheme === 'jwt' ? 'Bearer' : scheme.charAt(0).toUpperCase() + scheme.slice(1);
}
