import 'reflect-metadata';

// What a plugin author needs, nothing more. Core's tests import internals from their own files.

// Plugins and the container
export { definePlugin, isPlugin, type Plugin, type PluginContext, type PluginDefinition, type PluginHooks, type PluginKind, type PrimaryContext } from './plugin.js';
export { Tokens, token, resolveToken, resolveAllTokens, type Token, type TokenName } from './tokens.js';
export { PONTE_VERSION, type ServerInfo } from './server-info.js';

// Errors
export { ErrorCodes, PonteError, isPonteError, toPonteError, validationError, type ErrorCode } from './errors.js';

// Data: tensors, models, requests
export * from './tensor.js';
export { decodeBinaryTensor, encodeBinaryTensor, tensorDataToJson } from './tensor-bytes.js';
export type * from './model.js';
export type * from './inference.js';
export { featureLayout, type FeatureLayout } from './features/feature-layout.js';
export { FeatureMatrix, featureMatrix, namedRows } from './features/named-rows.js';
export { instancesToRequest } from './features/instances.js';
export { checkSignature } from './registry/signature-check.js';

// Extension points
export type * from './extension-points.js';
export { scopeAllows, ScopeAuthorizer, SCOPE_PATTERN } from './scope-authorizer.js';
export { PIPELINE_STAGES } from './extension-points.js';
export type { ModelStore } from './model-store.js';
export type { MetricFamily, MetricSample, MetricSource } from './metric-source.js';
export type { Explainer, Explanation } from './explainer.js';
export type { PredictionRecord, PredictionSink } from './sinks/prediction-sink.js';
export type { SinkHub, SinkStats } from './sinks/sink-hub.js';
export { namedFeatures } from './sinks/sink-hub.js';
export type { DocumentQuery, FeedbackItem, FeedbackResult, JsonValue, PredictionPage, PredictionQuery, PredictionStore, RetentionPolicy, SegmentBatch, SegmentQuery, StoredDocument, StoredPrediction, StoredTensor } from './store/prediction-store.js';
export { uuidV7 } from './store/uuid-v7.js';
export { decodeSegment, SEGMENT_MAX_RECORDS, SEGMENT_SPAN_MS, SegmentBuilder, segmentIds, segmentIndexOf, toSegments, uuidBytes, uuidTime, uuidUpperBound, type EncodablePrediction, type EncodableTensor, type PredictionSegment } from './store/prediction-segment.js';
export { SegmentPage, type LogPosition } from './store/segment-page.js';
export { SegmentView, type SegmentTensorLayout, type SegmentVisitor } from './store/segment-view.js';
export { SegmentMerge, type SegmentRange } from './store/segment-merge.js';
export { decodeSegmentCursor, encodeSegmentCursor, MAX_SEGMENT_BATCH, segmentBatchLimit, type SegmentPosition } from './store/segment-cursor.js';
export { checkLease, documentPageLimit, documentRow, nameProblem, MAX_DOCUMENT_PAGE, MAX_LEASE_TTL_MS, MAX_NAME_LENGTH } from './store/document-rules.js';
export type { PredictionLog, PredictionDrops, PredictionDropReason } from './store/prediction-log.js';
export { PREDICTION_LOG_SINK } from './store/prediction-log.js';

// Protocols: the one request lifecycle they all run
export { isInferenceRoute, type Exchange, type InferenceResult, type InferenceRoute, type PlainRoute, type ProtocolEndpoint, type RouteHandler } from './protocol.js';
export type { RequestPipeline } from './request-pipeline.js';
export type { Lifecycle, ServerState } from './lifecycle.js';
export type { ObserverHub } from './observer-hub.js';
export { QuotedStrings } from './quoted-strings.js';
export { distinguishedName, peerCertificateOf, toPeerCertificate, type PeerCertificate } from './tls/peer-certificate.js';
export { readTlsMaterial, secureContextOptions, tlsFiles, type ClientCertificateMode, type TlsFiles, type TlsMaterial } from './tls/tls-material.js';
export { TlsWatcher, type TlsWatcherOptions } from './tls/tls-watcher.js';
export type { TlsConfig } from './config/config-types.js';

// Models and runners
export type { ModelRegistry, ReadyModel } from './registry/model-registry.js';
export type { VersionRouter } from './registry/version-router.js';
export { modelMetadata, type ModelMetadata } from './registry/model-metadata.js';
export { sha256OfFile } from './registry/model-integrity.js';
export type { ModelRunner, RunResult, RunOptions } from './batching/model-runner.js';
export type { RunnerFactory } from './batching/runner-factory.js';
export { DynamicBatcher } from './batching/dynamic-batcher.js';
export { DirectRunner } from './batching/direct-runner.js';

// Config and logging
export { loadConfigFile, loadConfigObject, ConfigError, checkAgainstSchema } from './config/config-loader.js';
export { checkConfigFile, type ConfigCheckResult } from './config/config-check.js';
export type { LoadedConfig, PonteConfig, PluginEntry, ModelEntry, CustomRouteEntry } from './config/config-types.js';
export { redactConfig, REDACTED } from './config/redact.js';
export { formatSchemaErrors } from './config/schema-errors.js';
export { createLogger, flushLogger, type Logger } from './logger.js';
export type { AuditAdminAction, AuditLog, AuditRefusal, AuditRequest } from './audit-log.js';

// Health, metrics helpers, the server
export { healthReport, type HealthReport, type ModelReadiness } from './health/health-report.js';
export { serveClusterHealth, type ClusterHealthOptions } from './health/cluster-health.js';
export { healthPortSettings } from './health/health-listener.js';
export { usableCpus } from './usable-cpus.js';
export { BucketHistogram } from './bucket-histogram.js';
export { PonteServer, type PonteServerOptions } from './server.js';
export { startPrimaryHooks } from './plugin-host.js';
