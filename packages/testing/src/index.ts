/**
 * A plugin author's kit: the conformance suite of each plugin kind, which a
 * plugin's own tests call with its instance and fixtures. Every built-in
 * plugin runs the suite of its kind. Servers for tests come from
 * `@ponte/http/testing` (REST) and `@ponte/core/testing` (no protocol).
 */
export { modelFormatConformance, type ModelFormatFixture } from './model-format-conformance.js';
export { validatorConformance, type ValidatorFixture, type InvalidRequest } from './validator-conformance.js';
export { authenticatorConformance, type AuthenticatorFixture } from './authenticator-conformance.js';
export { predictionStoreConformance, type StoreUnderTest } from './prediction-store-conformance.js';
export { sinkConformance, type SinkFixture } from './sink-conformance.js';
export { observerConformance, type ObserverFixture } from './observer-conformance.js';
export { protocolConformance, type ProtocolFixture, type ClientOutput } from './protocol-conformance.js';
export { testContext, type Credentials } from './test-context.js';
export { sampleRecords, SAMPLE_MODEL } from './sample-records.js';
