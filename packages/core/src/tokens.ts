import type { MetricSource } from './metric-source.js';
import type { DependencyContainer } from 'tsyringe';
import type { Logger } from 'pino';
import type { PonteConfig } from './config/config-types.js';
import type { AdmissionCheck, Authenticator, Authorizer, PipelineObserver, Transform, Validator } from './extension-points.js';
import type { Explainer } from './explainer.js';
import type { Lifecycle } from './lifecycle.js';
import type { ModelFormat } from './model.js';
import type { ModelStore } from './model-store.js';
import type { ObserverHub } from './observer-hub.js';
import type { ProtocolEndpoint } from './protocol.js';
import type { ModelRegistry } from './registry/model-registry.js';
import type { VersionRouter } from './registry/version-router.js';
import type { RunnerFactory } from './batching/runner-factory.js';
import type { RequestPipeline } from './request-pipeline.js';
import type { ServerInfo } from './server-info.js';
import type { PredictionSink } from './sinks/prediction-sink.js';
import type { SinkHub } from './sinks/sink-hub.js';
import type { PredictionStore } from './store/prediction-store.js';
import type { PredictionLog } from './store/prediction-log.js';
import type { ModelView } from './extension-points.js';
import type { AuditLog } from './audit-log.js';

declare const TOKEN_TYPE: unique symbol;

/**
 * An injection token that knows the type registered under it: a symbol at run
 * time (what tsyringe keys on), typed at compile time, so
 * `ctx.provide(Tokens.Validator, notAValidator)` does not compile.
 *
 * @example
 * ```ts
 * const Clock: Token<() => number> = token('my-plugin.Clock');
 * ctx.provide(Clock, () => Date.now());
 * ```
 */
export type Token<T> = symbol & { readonly [TOKEN_TYPE]?: T };

/** Makes a typed token; `Symbol.for`, so two copies of a package agree on it. */
export function token<T>(key: string): Token<T> {
  return Symbol.for(key) as Token<T>;
}

/**
 * Injection tokens shared by core and plugins. Tokens marked *many* take any
 * number of registrations (resolved in registration order); every other token
 * takes one: core registers its default, a plugin may replace it, and two
 * plugins providing it is a config error naming both.
 *
 * @example
 * ```ts
 * ctx.provide(Tokens.Validator, new MaxRowsValidator(100));
 * const registry = ctx.resolve(Tokens.ModelRegistry); // in start() or a handler
 * ```
 */
export const Tokens = {
  /** The validated, interpolated root config. */
  Config: token<PonteConfig>('ponte.Config'),
  /** The root logger. */
  Logger: token<Logger>('ponte.Logger'),
  /** Server name, version and config folder. */
  ServerInfo: token<ServerInfo>('ponte.ServerInfo'),
  /** The server's root container, for services that make child scopes (one per model version). */
  Container: token<DependencyContainer>('ponte.Container'),
  /** *many* — model formats, one per format. */
  ModelFormat: token<ModelFormat>('ponte.ModelFormat'),
  /** *many* — where model versions come from (local folders by default). */
  ModelStore: token<ModelStore>('ponte.ModelStore'),
  /** *many* — request validators, run in registration order. */
  Validator: token<Validator>('ponte.Validator'),
  /** *many* — authenticators; none means every caller is anonymous. */
  Authenticator: token<Authenticator>('ponte.Authenticator'),
  /** Who may do which action on which model; none means everyone may do everything. */
  Authorizer: token<Authorizer>('ponte.Authorizer'),
  /** *many* — admission checks run before a request's body is read (rate limits, quotas). */
  AdmissionCheck: token<AdmissionCheck>('ponte.AdmissionCheck'),
  /** *many* — synchronous observers of every request (metrics, tracing). */
  PipelineObserver: token<PipelineObserver>('ponte.PipelineObserver'),
  /** The prediction log's store (SQLite, PostgreSQL …); none means predictions are not logged. */
  PredictionStore: token<PredictionStore>('ponte.PredictionStore'),
  /** Service: the prediction log (ids, sampling, redaction, writes to the store); registered when a store is. */
  PredictionLog: token<PredictionLog>('ponte.PredictionLog'),
  /** *many* — after-response sinks (prediction log, monitoring, shadow traffic). */
  PredictionSink: token<PredictionSink>('ponte.PredictionSink'),
  MetricSource: token<MetricSource>('ponte.MetricSource'),
  /** *many* — request and response transforms around the model. */
  Transform: token<Transform>('ponte.Transform'),
  /** *many* — explainers, chosen per model by name. */
  Explainer: token<Explainer>('ponte.Explainer'),
  /** *many* — where each protocol listens (REST, gRPC …). */
  ProtocolEndpoint: token<ProtocolEndpoint>('ponte.ProtocolEndpoint'),
  /** Service: every configured model and its versions. */
  ModelRegistry: token<ModelRegistry>('ponte.ModelRegistry'),
  /** Service: which ready version serves a request. */
  VersionRouter: token<VersionRouter>('ponte.VersionRouter'),
  /** Service: makes the runner (dynamic batcher or direct) of each model version. */
  RunnerFactory: token<RunnerFactory>('ponte.RunnerFactory'),
  /** Service: the one request lifecycle every protocol runs. */
  RequestPipeline: token<RequestPipeline>('ponte.RequestPipeline'),
  /** Service: server state and in-flight accounting (drain). */
  Lifecycle: token<Lifecycle>('ponte.Lifecycle'),
  /** Service: the observers, sorted by hook. */
  ObserverHub: token<ObserverHub>('ponte.ObserverHub'),
  /** Service: the bounded hand-off to the prediction sinks. */
  SinkHub: token<SinkHub>('ponte.SinkHub'),
  /** Service: the audit log (`server.audit`): refusals and admin actions; a no-op when not configured. */
  AuditLog: token<AuditLog>('ponte.AuditLog'),
  /** In a model version's child container: the version it serves. */
  ModelVersion: token<ModelView>('ponte.ModelVersion'),
} as const;

export type TokenName = keyof typeof Tokens;

/** Tokens that take any number of registrations. */
export const MANY_TOKENS: ReadonlySet<symbol> = new Set([
  Tokens.ModelFormat, Tokens.ModelStore, Tokens.Validator, Tokens.Authenticator, Tokens.AdmissionCheck,
  Tokens.PipelineObserver, Tokens.PredictionSink, Tokens.Transform, Tokens.Explainer, Tokens.ProtocolEndpoint,
  Tokens.MetricSource,
]);

/** Core services built from what plugins contribute: resolving one before every plugin has registered would freeze it half-built. */
export const BUILT_AFTER_REGISTER: ReadonlySet<symbol> = new Set([
  Tokens.ModelRegistry, Tokens.RequestPipeline, Tokens.ObserverHub, Tokens.SinkHub, Tokens.PredictionLog,
]);

/**
 * `container.resolve` typed by the token (tsyringe's own signature cannot read a symbol's type).
 *
 * @example
 * ```ts
 * const registry = resolveToken(container, Tokens.ModelRegistry); // ModelRegistry
 * ```
 */
export function resolveToken<T>(container: DependencyContainer, t: Token<T>): T {
  return container.resolve<T>(t);
}

/** Every registration of a token, typed; empty when none. */
export function resolveAllTokens<T>(container: DependencyContainer, t: Token<T>): T[] {
  return container.isRegistered(t, true) ? container.resolveAll<T>(t) : [];
}
