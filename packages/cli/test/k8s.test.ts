import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '@ponte/http/testing';
import { runCli } from './cli-process.js';

// What the manifests mean (probes, drain, selectors, Secrets) is checked here; that they are valid by the
// Kubernetes schemas and KServe's CRDs is checked in k8s-schemas.test.ts.

// Manifests are untyped YAML: indexed freely here, checked by the assertions.
type Obj = Record<string, any>;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ponte-k8s-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function manifests(args: string[]): Promise<{ byKind: Map<string, Obj>; stderr: string }> {
  const run = await runCli(['k8s', ...args]);
  assert.equal(run.code, 0, run.stderr);
  const docs = parseAllDocuments(run.stdout).map((d) => d.toJS() as Obj);
  return { byKind: new Map(docs.map((d) => [d['kind'] as string, d])), stderr: run.stderr };
}

/** Keys of an object that a schema does not list: a typo in a field name shows up here. */
function unknownKeys(obj: Obj, allowed: string[]): string[] {
  return Object.keys(obj).filter((k) => !allowed.includes(k));
}

test('ponte k8s: a Deployment probed on the OIP health endpoints, drained within its grace period, configured from a ConfigMap', async () => {
  const { byKind } = await manifests(['--config', 'config/ponte.yaml', '--image', 'localhost/ponte:dev', '--namespace', 'models', '--replicas', '3']);
  assert.deepEqual([...byKind.keys()], ['ConfigMap', 'Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']);
  const deployment = byKind.get('Deployment')!;
  assert.equal(deployment['apiVersion'], 'apps/v1');
  assert.equal(deployment['metadata'].namespace, 'models');
  assert.equal(deployment['spec'].replicas, 3);
  const pod = deployment['spec'].template;
  assert.deepEqual(deployment['spec'].selector.matchLabels, { 'app.kubernetes.io/name': 'ponte' });
  assert.equal(pod.metadata.labels['app.kubernetes.io/name'], 'ponte', 'the selector matches the pods');
  const [container] = pod.spec.containers as Obj[];
  assert.equal(container!['image'], 'localhost/ponte:dev');
  assert.deepEqual(container!['args'], ['node', '/app/packages/cli/dist/src/main.js', 'serve', '--config', '/etc/ponte/ponte.yaml']);
  const ports = Object.fromEntries((container!['ports'] as Obj[]).map((p) => [p['name'], p['containerPort']]));
  assert.deepEqual(ports, { http: 8080, grpc: 8081, health: 8082, metrics: 9464 });
  assert.deepEqual(container!['readinessProbe'].httpGet, { path: '/v2/health/ready', port: 'health' });
  assert.deepEqual(container!['livenessProbe'].httpGet, { path: '/v2/health/live', port: 'health' });
  assert.deepEqual(container!['startupProbe'].httpGet, { path: '/v2/health/ready', port: 'health' });
  assert.ok(container!['startupProbe'].periodSeconds * container!['startupProbe'].failureThreshold >= 120, 'two minutes to load the models');
  assert.ok(container!['resources'].requests.cpu && container!['resources'].requests.memory && container!['resources'].limits.memory);

  // SIGTERM after the pre-stop pause; Ponte drains for shutdownTimeoutMs (10 s in the example); SIGKILL only after.
  const config = parse(byKind.get('ConfigMap')!['data']['ponte.yaml']) as Obj;
  const preStop = Number(container!['lifecycle'].preStop.exec.command[1]);
  assert.ok(pod.spec.terminationGracePeriodSeconds > preStop + config['server'].shutdownTimeoutMs / 1000, 'grace period above the drain timeout');

  // Non-root, read-only root file system; the image's uid.
  assert.equal(pod.spec.securityContext.runAsNonRoot, true);
  assert.equal(pod.spec.securityContext.runAsUser, 10001);
  assert.equal(container!['securityContext'].readOnlyRootFilesystem, true);

  // The ConfigMap holds the cluster's version of the config, mounted where args point.
  assert.equal(byKind.get('ConfigMap')!['metadata'].name, 'ponte-config');
  assert.deepEqual(pod.spec.volumes.find((v: Obj) => v['name'] === 'config'), { name: 'config', configMap: { name: 'ponte-config' } });
  assert.ok((container!['volumeMounts'] as Obj[]).some((m) => m['name'] === 'config' && m['mountPath'] === '/etc/ponte'));
  assert.equal(config['server'].host, '0.0.0.0');
  assert.equal(config['server'].health.port, 8082);
  assert.equal(config['repository'], '/mnt/models');
  const sqlite = (config['plugins'] as Obj[]).find((p) => p['package'] === '@ponte/store-sqlite');
  assert.equal(sqlite!['options'].file, '/var/lib/ponte/ponte.db', 'written to the pod\'s data volume, not the read-only ConfigMap');
  assert.ok((container!['volumeMounts'] as Obj[]).some((m) => m['name'] === 'data' && m['mountPath'] === '/var/lib/ponte'));

  // Prometheus scrapes each pod on the exporter's own port, which the config opens.
  assert.deepEqual(pod.metadata.annotations['prometheus.io/scrape'], 'true');
  assert.equal(pod.metadata.annotations['prometheus.io/port'], '9464');
  const exporter = (config['plugins'] as Obj[]).find((p) => p['package'] === '@ponte/exporter-prometheus');
  assert.deepEqual(exporter!['options'], { port: 9464, host: '0.0.0.0' });
  assert.match(pod.metadata.annotations['ponte.dev/config-sha256'], /^[0-9a-f]{64}$/, 'a config change rolls the pods');
});

test('ponte k8s: a Service, a CPU autoscaler that documents queue depth, and a disruption budget that matches the pods', async (t) => {
  const { byKind } = await manifests(['--config', 'config/ponte.yaml', '--name', 'purchase', '--replicas', '2', '--max-replicas', '10', '--cpu-target', '60']);
  const podLabels = byKind.get('Deployment')!['spec'].template.metadata.labels as Obj;
  const matches = (selector: Obj) => Object.entries(selector).every(([k, v]) => podLabels[k] === v);

  const service = byKind.get('Service')!;
  assert.ok(matches(service['spec'].selector));
  assert.deepEqual(service['spec'].ports.map((p: Obj) => [p['name'], p['port'], p['targetPort']]), [['http', 8080, 'http'], ['grpc', 8081, 'grpc']]);

  const hpa = byKind.get('HorizontalPodAutoscaler')!;
  assert.equal(hpa['apiVersion'], 'autoscaling/v2');
  assert.deepEqual(hpa['spec'].scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'purchase' });
  assert.equal(hpa['spec'].minReplicas, 2);
  assert.equal(hpa['spec'].maxReplicas, 10);
  assert.deepEqual(hpa['spec'].metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }]);

  const pdb = byKind.get('PodDisruptionBudget')!;
  assert.equal(pdb['apiVersion'], 'policy/v1');
  assert.equal(pdb['spec'].maxUnavailable, 1);
  assert.ok(matches(pdb['spec'].selector.matchLabels));

  const dir = tempDir(t);
  const run = await runCli(['k8s', '--config', 'config/ponte.yaml', '--out', dir]);
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ['configmap.yaml', 'deployment.yaml', 'hpa.yaml', 'pdb.yaml', 'service.yaml']);
  assert.match(readFileSync(join(dir, 'hpa.yaml'), 'utf8'), /^# .*ponte_queue_depth/m, 'the queue-depth alternative is documented in the file');
});

test('ponte k8s: shared state across replicas — PostgreSQL log, Redis rate limits, API keys — comes from Secrets, never literals', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'ponte.yaml'), `version: 1
server: { port: 8080, shutdownTimeoutMs: 30000 }
plugins:
  - '@ponte/onnx'
  - package: '@ponte/store-sqlite'
    options: { file: ./data/log.db, retention: { maxAgeDays: 7 } }
  - package: '@ponte/ratelimit'
    options: { limits: [{ per: principal, rate: 100 }] }
repository: ./models
`);
  const { byKind, stderr } = await manifests(['--config', join(dir, 'ponte.yaml'), '--replicas', '4', '--postgres-secret', 'ponte-db:dsn', '--redis-url', 'redis://redis.cache:6379/0', '--keys-secret', 'ponte-keys']);
  assert.match(stderr, /store-sqlite replaced by @ponte\/store-postgres/);
  const pod = byKind.get('Deployment')!['spec'].template.spec;
  const [container] = pod.containers as Obj[];
  assert.deepEqual(container!['env'], [
    { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'ponte-db', key: 'dsn' } } },
    { name: 'REDIS_URL', value: 'redis://redis.cache:6379/0' },
  ]);
  const config = parse(byKind.get('ConfigMap')!['data']['ponte.yaml']) as Obj;
  const plugin = (name: string) => (config['plugins'] as (Obj | string)[]).find((p) => (typeof p === 'string' ? p : p['package']) === name) as Obj | undefined;
  assert.equal(plugin('@ponte/store-sqlite'), undefined);
  assert.deepEqual(plugin('@ponte/store-postgres')!['options'], { retention: { maxAgeDays: 7 }, connectionString: '${env:DATABASE_URL}' });
  assert.deepEqual(plugin('@ponte/ratelimit')!['options'].redis, { url: '${env:REDIS_URL}', sharedBy: 4 });
  assert.equal(plugin('@ponte/ratelimit')!['options'].store, 'redis');
  assert.equal(plugin('@ponte/auth-apikey')!['options'].keysFile, '/etc/ponte-keys/keys.yaml');
  assert.deepEqual(pod.volumes.find((v: Obj) => v['name'] === 'api-keys').secret, { secretName: 'ponte-keys', defaultMode: 0o400 });
  assert.ok((container!['volumeMounts'] as Obj[]).some((m) => m['mountPath'] === '/etc/ponte-keys' && m['readOnly'] === true));
  assert.ok(pod.terminationGracePeriodSeconds > 30, 'above the 30 s drain');

  // The config the pods run is one Ponte accepts (with the repository and the Secret's variable supplied here).
  const checked = join(dir, 'cluster.yaml');
  writeFileSync(checked, byKind.get('ConfigMap')!['data']['ponte.yaml'].replace('/mnt/models', join(REPO_ROOT, 'examples/models')).replace('/etc/ponte-keys/keys.yaml', join(dir, 'keys.yaml')));
  writeFileSync(join(dir, 'keys.yaml'), '[]\n');
  const check = await runCli(['config', 'check', checked], { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test', REDIS_URL: 'redis://127.0.0.1:6379' });
  assert.equal(check.code, 0, check.stdout + check.stderr);
});

test('ponte k8s warns when many replicas would keep separate prediction logs and rate limits', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'ponte.yaml'), "version: 1\nplugins: ['@ponte/onnx', '@ponte/store-sqlite', { package: '@ponte/ratelimit', options: { limits: [{ per: global, rate: 5 }] } }]\n");
  const { stderr } = await manifests(['--config', join(dir, 'ponte.yaml'), '--replicas', '2']);
  assert.match(stderr, /store-sqlite keeps one log per pod.*--postgres-secret/);
  assert.match(stderr, /ratelimit counts per pod: pass --redis-url/);
  assert.match(stderr, /no --image/);
});

// KServe v1alpha1 ServingRuntime and v1beta1 InferenceService fields (kserve.github.io, KServe 0.14).
const SERVING_RUNTIME_SPEC = ['supportedModelFormats', 'protocolVersions', 'multiModel', 'containers', 'volumes', 'annotations', 'labels', 'nodeSelector', 'affinity', 'tolerations', 'imagePullSecrets', 'builtInAdapter', 'disabled', 'grpcEndpoint', 'grpcDataEndpoint', 'httpDataEndpoint', 'replicas', 'storageHelper', 'hostIPC', 'workerSpec'];
const PREDICTOR = ['model', 'minReplicas', 'maxReplicas', 'scaleTarget', 'scaleMetric', 'canaryTrafficPercent', 'containerConcurrency', 'timeout', 'batcher', 'logger', 'serviceAccountName', 'terminationGracePeriodSeconds', 'nodeSelector', 'tolerations', 'affinity', 'volumes', 'annotations', 'labels'];
const MODEL = ['modelFormat', 'runtime', 'protocolVersion', 'storageUri', 'storage', 'resources', 'env', 'args', 'image', 'ports', 'volumeMounts', 'readinessProbe', 'livenessProbe'];

test('ponte k8s --kserve: a ServingRuntime running Ponte as an OIP v2 runtime for ONNX, and an InferenceService with a canary', async () => {
  const { byKind } = await manifests(['--kserve', '--storage-uri', 's3://models/purchase-repo', '--canary-percent', '10', '--name', 'purchase', '--image', 'localhost/ponte:dev', '--namespace', 'kserve-test', '--replicas', '1', '--max-replicas', '3']);
  assert.deepEqual([...byKind.keys()], ['ConfigMap', 'ServingRuntime', 'InferenceService']);

  const runtime = byKind.get('ServingRuntime')!;
  assert.equal(runtime['apiVersion'], 'serving.kserve.io/v1alpha1');
  assert.deepEqual(unknownKeys(runtime['spec'], SERVING_RUNTIME_SPEC), []);
  assert.deepEqual(runtime['spec'].supportedModelFormats, [{ name: 'onnx', version: '1', autoSelect: true }]);
  assert.ok(runtime['spec'].protocolVersions.includes('v2'));
  assert.equal(runtime['spec'].multiModel, false);
  const [container] = runtime['spec'].containers as Obj[];
  assert.equal(container!['name'], 'kserve-container');
  assert.equal(container!['image'], 'localhost/ponte:dev');
  assert.deepEqual(container!['args'].slice(2), ['serve', '--config', '/etc/ponte/ponte.yaml']);
  assert.deepEqual(container!['ports'], [{ containerPort: 8080, protocol: 'TCP' }], 'one port: Knative routes one');
  assert.deepEqual(container!['readinessProbe'].httpGet, { path: '/v2/health/ready', port: 8080 });
  assert.deepEqual(container!['livenessProbe'].httpGet, { path: '/v2/health/live', port: 8080 });
  const configName = runtime['spec'].volumes.find((v: Obj) => v['configMap'])['configMap'].name;
  assert.equal(configName, byKind.get('ConfigMap')!['metadata'].name);
  assert.equal(runtime['spec'].annotations['prometheus.kserve.io/port'], '9464');

  // KServe's storage initializer puts storageUri's content at /mnt/models: the config's repository.
  const config = parse(byKind.get('ConfigMap')!['data']['ponte.yaml']) as Obj;
  assert.equal(config['repository'], '/mnt/models');
  assert.equal(config['server'].port, 8080);

  const isvc = byKind.get('InferenceService')!;
  assert.equal(isvc['apiVersion'], 'serving.kserve.io/v1beta1');
  assert.equal(isvc['metadata'].name, 'purchase');
  assert.equal(isvc['metadata'].namespace, 'kserve-test');
  const predictor = isvc['spec'].predictor as Obj;
  assert.deepEqual(unknownKeys(isvc['spec'], ['predictor', 'transformer', 'explainer']), []);
  assert.deepEqual(unknownKeys(predictor, PREDICTOR), []);
  assert.deepEqual(unknownKeys(predictor['model'], MODEL), []);
  assert.deepEqual(predictor['model'].modelFormat, { name: 'onnx' });
  assert.equal(predictor['model'].runtime, runtime['metadata'].name);
  assert.equal(predictor['model'].protocolVersion, 'v2');
  assert.equal(predictor['model'].storageUri, 's3://models/purchase-repo');
  assert.equal(predictor['canaryTrafficPercent'], 10);
  assert.equal(predictor['minReplicas'], 1);
  assert.equal(predictor['maxReplicas'], 3);
  assert.ok(predictor['terminationGracePeriodSeconds'] > config['server'].shutdownTimeoutMs / 1000);
});

test('ponte k8s refuses bad flags with a usage error naming the flag', async () => {
  const cases: [string[], RegExp][] = [
    [['--name', 'Purchase_Model'], /--name Purchase_Model: must be a DNS label/],
    [['--replicas', '0'], /--replicas must be an integer between 1 and 1000/],
    [['--replicas', '4', '--max-replicas', '2'], /--max-replicas must be an integer between 4 and 1000/],
    [['--postgres-secret', 'db:'], /--postgres-secret must be SECRET or SECRET:KEY/],
    [['--redis-url', 'localhost:6379'], /--redis-url must be a redis:\/\/ or rediss:\/\/ URL/],
    [['--kserve'], /--kserve needs --storage-uri/],
    [['--kserve', '--storage-uri', 's3://b/m', '--canary-percent', '150'], /--canary-percent must be an integer between 0 and 100/],
    [['--canary-percent', '10'], /KServe settings: add --kserve/],
    [['--config', 'nowhere.yaml'], /cannot read nowhere\.yaml/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(['k8s', ...args]);
    assert.equal(run.code, 2, args.join(' '));
    assert.match(run.stderr, message);
  }
});

test('deploy/k8s and deploy/kserve are what ponte k8s generates (the commands are in their README)', async (t) => {
  for (const folder of ['k8s', 'kserve']) {
    const readme = readFileSync(join(REPO_ROOT, 'deploy', folder, 'README.md'), 'utf8');
    const command = /^ +node packages\/cli\/dist\/src\/main\.js (k8s .*) --out deploy\/\w+$/m.exec(readme)?.[1];
    assert.ok(command !== undefined, `deploy/${folder}/README.md names its command`);
    const dir = tempDir(t);
    const run = await runCli([...command.split(' '), '--out', dir]);
    assert.equal(run.code, 0, run.stderr);
    for (const file of readdirSync(dir)) {
      assert.equal(readFileSync(join(REPO_ROOT, 'deploy', folder, file), 'utf8'), readFileSync(join(dir, file), 'utf8'), `deploy/${folder}/${file} is stale: regenerate it with the command in deploy/${folder}/README.md`);
    }
  }
});
