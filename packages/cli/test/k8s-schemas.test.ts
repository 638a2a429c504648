import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Ajv, type ValidateFunction } from 'ajv';
import { ConfigMap, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import { REPO_ROOT } from '@ponte/http/testing';
import { runCli } from './cli-process.js';

// What `ponte k8s` writes is checked against the API's own schemas rather than field lists written here:
// the Kubernetes kinds with kubernetes-models (generated from the Kubernetes 1.27 OpenAPI spec), the
// KServe kinds with the openAPIV3Schema of KServe's CRDs, copied into deploy/kserve/crd (the source commit
// is in their header, and docs/deploy.md names it).

// Manifests are untyped YAML: indexed freely here, checked by the validators.
type Obj = Record<string, any>;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-k8s-schemas-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function generate(args: string[]): Promise<Obj[]> {
  const run = await runCli(['k8s', ...args]);
  assert.equal(run.code, 0, `ponte k8s ${args.join(' ')}: ${run.stderr}`);
  return parseAllDocuments(run.stdout).map((d) => d.toJS() as Obj);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// --- Kubernetes kinds: kubernetes-models' validators (types, required fields, formats) ---------------

const KUBERNETES_MODELS: Record<string, (o: Obj) => { validate(): void }> = {
  'v1/ConfigMap': (o) => new ConfigMap(o),
  'v1/Service': (o) => new Service(o),
  'apps/v1/Deployment': (o) => new Deployment(o),
  'autoscaling/v2/HorizontalPodAutoscaler': (o) => new HorizontalPodAutoscaler(o),
  'policy/v1/PodDisruptionBudget': (o) => new PodDisruptionBudget(o),
};

// --- KServe kinds: the CRDs' openAPIV3Schema, with Ajv ------------------------------------------------

const CRD_DIR = join(REPO_ROOT, 'deploy/kserve/crd');
const CRDS: Record<string, { file: string; version: string }> = {
  'serving.kserve.io/v1alpha1/ServingRuntime': { file: 'serving.kserve.io_servingruntimes.yaml', version: 'v1alpha1' },
  'serving.kserve.io/v1beta1/InferenceService': { file: 'serving.kserve.io_inferenceservices.yaml', version: 'v1beta1' },
};

/**
 * The API server rejects fields a structural schema does not declare (kubectl's default strict field
 * validation) unless the object preserves unknown fields; plain JSON Schema accepts them. Closing such
 * objects makes a misspelt field fail here as it would on `kubectl apply`.
 */
function closeObjects(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const s of schema) closeObjects(s);
    return;
  }
  if (schema === null || typeof schema !== 'object') return;
  const s = schema as Obj;
  if (s['type'] === 'object' && s['properties'] !== undefined && s['additionalProperties'] === undefined && s['x-kubernetes-preserve-unknown-fields'] !== true) {
    s['additionalProperties'] = false;
  }
  for (const v of Object.values(s)) closeObjects(v);
}

// strict: false because CRD schemas carry the x-kubernetes-* extensions, which are not JSON Schema keywords.
const ajv = new Ajv({ strict: false, allErrors: true });
// The formats Kubernetes structural schemas use here (apiextensions-apiserver's format list).
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i);

/** The CRD's header comment: where the copy comes from. */
function crdSource(file: string): string {
  return readFileSync(join(CRD_DIR, file), 'utf8').split('\n')[0]!;
}

// Compiling the InferenceService schema takes seconds: once per file run, on first use.
const crdValidators = new Map<string, ValidateFunction>();
function crdValidator(kind: string): ValidateFunction {
  let validate = crdValidators.get(kind);
  if (validate === undefined) {
    const crd = CRDS[kind]!;
    const doc = parse(readFileSync(join(CRD_DIR, crd.file), 'utf8')) as Obj;
    const version = (doc['spec'].versions as Obj[]).find((v) => v['name'] === crd.version);
    assert.ok(version?.['served'], `${crd.file} serves ${crd.version}`);
    const schema = version['schema'].openAPIV3Schema as Obj;
    closeObjects(schema);
    validate = ajv.compile(schema);
    crdValidators.set(kind, validate);
  }
  return validate;
}

/** Everything wrong with one manifest, by the schema of its apiVersion and kind ([] when it is valid). */
function schemaErrors(o: Obj): string[] {
  const kind = `${o['apiVersion']}/${o['kind']}`;
  const model = KUBERNETES_MODELS[kind];
  if (model !== undefined) {
    try {
      model(o).validate();
      return [];
    } catch (e) {
      return [errorText(e)];
    }
  }
  if (CRDS[kind] !== undefined) {
    const validate = crdValidator(kind);
    const errors = validate(o) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
    // A CRD declares metadata as a bare object; the API server checks it as any object's metadata.
    try {
      new ObjectMeta(o['metadata']).validate();
    } catch (e) {
      errors.push(`metadata: ${errorText(e)}`);
    }
    return errors;
  }
  return [`no schema here for ${kind}`];
}

function assertValid(docs: Obj[], what: string): void {
  for (const o of docs) {
    assert.deepEqual(schemaErrors(o), [], `${what}: ${o['kind']} ${o['metadata']?.name}`);
  }
}

/** A deep copy with one change: the broken variants of a valid manifest. */
function broken(o: Obj, change: (copy: Obj) => void): Obj {
  const copy = structuredClone(o);
  change(copy);
  return copy;
}

const SHARED_STATE_CONFIG = `version: 1
server: { port: 8080, shutdownTimeoutMs: 30000 }
plugins:
  - '@ponte/onnx'
  - package: '@ponte/store-sqlite'
    options: { file: ./data/log.db, retention: { maxAgeDays: 7 } }
  - package: '@ponte/ratelimit'
    options: { limits: [{ per: principal, rate: 100 }] }
repository: ./models
`;

// Health on the data-plane port: no separate 'health' port, the probes name 'http'.
const ONE_PORT_CONFIG = "version: 1\nserver: { port: 9000, health: { port: 9000 } }\nplugins: ['@ponte/onnx']\n";

test('every Kubernetes object ponte k8s writes is valid by the Kubernetes schemas, whatever the flags', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'shared.yaml'), SHARED_STATE_CONFIG);
  writeFileSync(join(dir, 'one-port.yaml'), ONE_PORT_CONFIG);
  const flagSets: string[][] = [
    [],
    ['--config', 'config/ponte.yaml', '--image', 'localhost/ponte:dev', '--namespace', 'models', '--replicas', '3'],
    ['--postgres-secret', 'ponte-db'],
    ['--postgres-secret', 'ponte-db:dsn', '--redis-url', 'rediss://redis.cache:6380/1'],
    ['--keys-secret', 'ponte-keys:keys.yaml', '--name', 'purchase'],
    ['--config', join(dir, 'shared.yaml'), '--replicas', '4', '--max-replicas', '12', '--cpu-target', '55', '--postgres-secret', 'ponte-db:dsn', '--redis-url', 'redis://redis.cache:6379/0', '--keys-secret', 'ponte-keys'],
    ['--config', join(dir, 'one-port.yaml'), '--replicas', '1', '--max-replicas', '1', '--cpu-target', '100'],
  ];
  const generated = await Promise.all(flagSets.map((flags) => generate(flags)));
  for (const [i, docs] of generated.entries()) {
    assert.deepEqual(docs.map((d) => d['kind']), ['ConfigMap', 'Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']);
    assertValid(docs, `ponte k8s ${flagSets[i]!.join(' ')}`);
  }
});

test('a broken Kubernetes object fails the schema check, naming what is wrong', async () => {
  const byKind = new Map((await generate(['--keys-secret', 'ponte-keys', '--postgres-secret', 'ponte-db'])).map((d) => [d['kind'] as string, d]));
  const cases: [Obj, RegExp][] = [
    [broken(byKind.get('Deployment')!, (d) => { delete d['spec'].selector; }), /spec must have required property selector/],
    [broken(byKind.get('Deployment')!, (d) => { d['spec'].template.spec.containers[0].ports[0].containerPort = 'http'; }), /containerPort must be integer/],
    [broken(byKind.get('Deployment')!, (d) => { d['spec'].template.spec.containers[0].env[0].valueFrom.secretKeyRef = { name: 'ponte-db' }; }), /secretKeyRef must have required property key/],
    [broken(byKind.get('Deployment')!, (d) => { d['spec'].replicas = '3'; }), /replicas must be integer/],
    [broken(byKind.get('Service')!, (d) => { d['spec'].ports[0].port = '8080'; }), /port must be integer/],
    [broken(byKind.get('HorizontalPodAutoscaler')!, (d) => { delete d['spec'].maxReplicas; }), /spec must have required property maxReplicas/],
    [broken(byKind.get('HorizontalPodAutoscaler')!, (d) => { d['spec'].metrics[0].resource.target.averageUtilization = '70%'; }), /averageUtilization must be integer/],
    [broken(byKind.get('PodDisruptionBudget')!, (d) => { d['spec'].selector.matchLabels = ['app']; }), /matchLabels must be object/],
    [broken(byKind.get('ConfigMap')!, (d) => { d['data']['ponte.yaml'] = { version: 1 }; }), /must be string/],
  ];
  for (const [manifest, message] of cases) {
    const errors = schemaErrors(manifest);
    assert.equal(errors.length, 1, `${manifest['kind']} should fail: ${message}`);
    assert.match(errors[0]!, message);
  }
});

test('the KServe ServingRuntime and InferenceService are valid by the CRDs of the KServe commit in deploy/kserve/crd', async () => {
  const flagSets: string[][] = [
    ['--kserve', '--storage-uri', 's3://models/purchase-repo'],
    ['--kserve', '--storage-uri', 's3://models/purchase-repo', '--canary-percent', '10', '--name', 'purchase', '--image', 'localhost/ponte:dev', '--namespace', 'kserve-test', '--replicas', '1', '--max-replicas', '3'],
    ['--kserve', '--storage-uri', 'pvc://models/repo', '--canary-percent', '0'],
    ['--kserve', '--storage-uri', 'gs://bucket/repo', '--canary-percent', '100', '--config', 'config/ponte.yaml', '--postgres-secret', 'ponte-db:dsn', '--redis-url', 'redis://redis.cache:6379/0'],
  ];
  const generated = await Promise.all(flagSets.map((flags) => generate(flags)));
  for (const [i, docs] of generated.entries()) {
    assert.deepEqual(docs.map((d) => d['kind']), ['ConfigMap', 'ServingRuntime', 'InferenceService']);
    assertValid(docs, `ponte k8s ${flagSets[i]!.join(' ')}`);
  }
  assert.equal(generated[1]![2]!['spec'].predictor.canaryTrafficPercent, 10, 'the canary field is one the CRD declares');
});

test('a broken KServe resource fails the CRD schema: a wrong type, a missing field, a misspelt field', async () => {
  const [, runtime, isvc] = await generate(['--kserve', '--storage-uri', 's3://models/purchase-repo', '--canary-percent', '10', '--postgres-secret', 'ponte-db']);
  const cases: [Obj, RegExp][] = [
    [broken(isvc!, (d) => { d['spec'].predictor.canaryTrafficPercent = '10'; }), /\/spec\/predictor\/canaryTrafficPercent must be integer/],
    [broken(isvc!, (d) => { d['spec'].predictor.model.storageURI = d['spec'].predictor.model.storageUri; }), /\/spec\/predictor\/model must NOT have additional properties \{"additionalProperty":"storageURI"\}/],
    [broken(isvc!, (d) => { delete d['spec'].predictor.model.modelFormat.name; }), /\/spec\/predictor\/model\/modelFormat must have required property 'name'/],
    [broken(runtime!, (d) => { d['spec'].containers[0].ports[0].containerPort = '8080'; }), /\/spec\/containers\/0\/ports\/0\/containerPort must be integer/],
    [broken(runtime!, (d) => { d['spec'].supportedModelFormat = d['spec'].supportedModelFormats; }), /\/spec must NOT have additional properties \{"additionalProperty":"supportedModelFormat"\}/],
    [broken(runtime!, (d) => { delete d['spec'].containers[0].env[0].valueFrom.secretKeyRef.key; }), /secretKeyRef must have required property 'key'/],
    [broken(runtime!, (d) => { d['metadata'].labels['app.kubernetes.io/managed-by'] = 1; }), /metadata: .*labels.* must be string/],
  ];
  for (const [manifest, message] of cases) {
    const errors = schemaErrors(manifest);
    assert.ok(errors.length > 0, `${manifest['kind']} should fail: ${message}`);
    assert.ok(errors.some((e) => message.test(e)), `${message} in ${errors.join('; ')}`);
  }
});

test('the committed examples in deploy/k8s and deploy/kserve are valid by the same schemas', () => {
  for (const folder of ['k8s', 'kserve']) {
    const files = readdirSync(join(REPO_ROOT, 'deploy', folder)).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 3, `deploy/${folder} holds manifests`);
    for (const file of files) {
      const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, 'deploy', folder, file), 'utf8')).map((d) => d.toJS() as Obj);
      assertValid(docs, `deploy/${folder}/${file}`);
    }
  }
});

test('docs/deploy.md names the KServe commit the CRD copies come from', () => {
  const docs = readFileSync(join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
  for (const { file } of Object.values(CRDS)) {
    const commit = /at commit ([0-9a-f]{40})/.exec(crdSource(file))?.[1];
    assert.ok(commit !== undefined, `${file}'s header names its source commit`);
    assert.ok(docs.includes(commit), `docs/deploy.md names commit ${commit} of ${file}`);
  }
});
