import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Io } from './commands.js';
import { EXIT } from './exit-codes.js';
import { deployFacts, isRecord, pluginEntries, readDeployFacts, type DeployFacts } from './deploy-config.js';
import { IMAGE_UID, MODELS_MOUNT } from './docker.js';

/** `ponte k8s` flags as parsed (strings; checked here). */
export interface K8sFlags {
  config?: string | undefined;
  out?: string | undefined;
  name?: string | undefined;
  image?: string | undefined;
  namespace?: string | undefined;
  replicas?: string | undefined;
  'max-replicas'?: string | undefined;
  'cpu-target'?: string | undefined;
  'postgres-secret'?: string | undefined;
  'redis-url'?: string | undefined;
  'keys-secret'?: string | undefined;
  kserve?: boolean | undefined;
  'storage-uri'?: string | undefined;
  'canary-percent'?: string | undefined;
}

/** Checked options of a deployment. */
export interface K8sOptions {
  name: string;
  image: string;
  namespace: string | undefined;
  replicas: number;
  maxReplicas: number;
  cpuTarget: number;
  /** Existing Secret (and key) holding the PostgreSQL connection string: the prediction log shared by every replica. */
  postgres: { secret: string; key: string } | undefined;
  /** Redis for rate limits shared by every replica. */
  redisUrl: string | undefined;
  /** Existing Secret (and key) holding @ponte/auth-apikey's keys file. */
  keys: { secret: string; key: string } | undefined;
  kserve: { storageUri: string; canaryPercent: number | undefined } | undefined;
}

export const CONFIG_DIR = '/etc/ponte';
export const KEYS_DIR = '/etc/ponte-keys';
export const DATA_DIR = '/var/lib/ponte';
export const HEALTH_PORT = 8082;
export const METRICS_PORT = 9464;
const CLI_MAIN = '/app/packages/cli/dist/src/main.js';
/** Seconds the pod keeps serving after it is marked terminating, while endpoints and load balancers catch up. */
export const PRE_STOP_SECONDS = 5;
const DEFAULT_IMAGE = 'registry.example.com/ponte-service:1.0.0';

/** The config the pods run: the given one adapted to the cluster, or a minimal one serving /mnt/models. */
export function clusterConfig(base: Record<string, unknown> | undefined, o: K8sOptions, warn: (m: string) => void): Record<string, unknown> {
  const config: Record<string, unknown> = base === undefined
    ? { version: 1, server: {}, logging: { level: 'info', requests: true }, plugins: ['@ponte/onnx', '@ponte/validator-jsonschema', '@ponte/openapi', '@ponte/exporter-prometheus'] }
    : structuredClone(base);
  const server = isRecord(config['server']) ? config['server'] : {};
  const health = isRecord(server['health']) ? server['health'] : {};
  config['server'] = { ...server, host: '0.0.0.0', port: server['port'] ?? 8080, shutdownTimeoutMs: server['shutdownTimeoutMs'] ?? 10_000, health: { ...health, port: typeof health['port'] === 'number' ? health['port'] : HEALTH_PORT, host: '0.0.0.0' } };
  config['repository'] = MODELS_MOUNT;
  let plugins = pluginEntries(config);
  const find = (name: string) => plugins.find((p) => p.package === name);
  const grpc = find('@ponte/grpc');
  if (grpc) grpc.options = { ...grpc.options, host: '0.0.0.0' };
  // Its own port: Prometheus scrapes it without the data plane's credentials, and the annotations can name it.
  const prometheus = find('@ponte/exporter-prometheus');
  if (prometheus) prometheus.options = { ...prometheus.options, port: METRICS_PORT, host: '0.0.0.0' };
  else plugins.push({ package: '@ponte/exporter-prometheus', options: { port: METRICS_PORT, host: '0.0.0.0' } });
  if (o.postgres) {
    const sqlite = find('@ponte/store-sqlite');
    if (sqlite) warn('@ponte/store-sqlite replaced by @ponte/store-postgres (--postgres-secret): every replica writes one log');
    plugins = plugins.filter((p) => p.package !== '@ponte/store-sqlite');
    const pg = plugins.find((p) => p.package === '@ponte/store-postgres');
    const { file: _file, ...kept } = sqlite?.options ?? {};
    if (pg) pg.options = { ...pg.options, connectionString: '${env:DATABASE_URL}' };
    else plugins.push({ package: '@ponte/store-postgres', options: { ...kept, connectionString: '${env:DATABASE_URL}' } });
  } else {
    const sqlite = find('@ponte/store-sqlite');
    if (sqlite) {
      sqlite.options = { ...sqlite.options, file: `${DATA_DIR}/ponte.db` };
      if (o.replicas > 1 || o.maxReplicas > 1) warn(`@ponte/store-sqlite keeps one log per pod, lost with it: pass --postgres-secret to share the prediction log and monitoring state across replicas`);
    }
  }
  const ratelimit = find('@ponte/ratelimit');
  if (o.redisUrl !== undefined) {
    if (ratelimit) {
      const redis = isRecord(ratelimit.options['redis']) ? ratelimit.options['redis'] : {};
      ratelimit.options = { ...ratelimit.options, store: 'redis', redis: { ...redis, url: '${env:REDIS_URL}', sharedBy: o.replicas } };
    } else {
      warn('--redis-url given but the config loads no @ponte/ratelimit: nothing uses Redis (REDIS_URL is set in the pods anyway)');
    }
  } else if (ratelimit && (o.replicas > 1 || o.maxReplicas > 1) && ratelimit.options['store'] !== 'redis') {
    warn('@ponte/ratelimit counts per pod: pass --redis-url to share the limits across replicas');
  }
  if (o.keys) {
    const apikey = find('@ponte/auth-apikey');
    const keysFile = `${KEYS_DIR}/${o.keys.key}`;
    if (apikey) apikey.options = { ...apikey.options, keysFile };
    else plugins.push({ package: '@ponte/auth-apikey', options: { keysFile } });
  }
  config['plugins'] = plugins.map((p) => (Object.keys(p.options).length === 0 ? p.package : { package: p.package, options: p.options }));
  return config;
}

/** Grace period: the pre-stop pause, the drain, and a margin for the process to exit before SIGKILL. */
export function gracePeriodSeconds(shutdownTimeoutMs: number): number {
  return PRE_STOP_SECONDS + Math.ceil(shutdownTimeoutMs / 1000) + 10;
}

type Manifest = Record<string, unknown>;

function labels(o: K8sOptions): Record<string, string> {
  return { 'app.kubernetes.io/name': o.name, 'app.kubernetes.io/component': 'model-server', 'app.kubernetes.io/managed-by': 'ponte' };
}

function meta(o: K8sOptions, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, ...(o.namespace !== undefined ? { namespace: o.namespace } : {}), labels: labels(o), ...extra };
}

function configMap(o: K8sOptions, name: string, configYaml: string): Manifest {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(o, name), data: { 'ponte.yaml': configYaml } };
}

function env(o: K8sOptions): Record<string, unknown>[] {
  return [
    ...(o.postgres ? [{ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: o.postgres.secret, key: o.postgres.key } } }] : []),
    ...(o.redisUrl !== undefined ? [{ name: 'REDIS_URL', value: o.redisUrl }] : []),
  ];
}

const RESOURCES = { requests: { cpu: '1', memory: '512Mi' }, limits: { memory: '1Gi' } };
const SECURITY = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };

/** The Deployment, Service, HorizontalPodAutoscaler and PodDisruptionBudget of a plain Kubernetes deployment. */
export function kubernetesManifests(o: K8sOptions, facts: DeployFacts, configYaml: string): Record<string, Manifest> {
  const configName = `${o.name}-config`;
  const selector = { 'app.kubernetes.io/name': o.name };
  const health = facts.healthPort ?? HEALTH_PORT;
  const ports = [
    { name: 'http', containerPort: facts.httpPort, protocol: 'TCP' },
    ...(facts.grpcPort !== undefined ? [{ name: 'grpc', containerPort: facts.grpcPort, protocol: 'TCP' }] : []),
    ...(health !== facts.httpPort ? [{ name: 'health', containerPort: health, protocol: 'TCP' }] : []),
    { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
  ];
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({ httpGet: { path, port: health !== facts.httpPort ? 'health' : 'http' }, periodSeconds, timeoutSeconds: 2, failureThreshold });
  const volumes: Record<string, unknown>[] = [
    { name: 'config', configMap: { name: configName } },
    { name: 'data', emptyDir: {} },
    { name: 'tmp', emptyDir: {} },
    ...(o.keys ? [{ name: 'api-keys', secret: { secretName: o.keys.secret, defaultMode: 0o400 } }] : []),
  ];
  const mounts: Record<string, unknown>[] = [
    { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
    { name: 'data', mountPath: DATA_DIR },
    { name: 'tmp', mountPath: '/tmp' },
    ...(o.keys ? [{ name: 'api-keys', mountPath: KEYS_DIR, readOnly: true }] : []),
  ];
  const deployment: Manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(o, o.name),
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: selector },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: {
          labels: labels(o),
          annotations: {
            'prometheus.io/scrape': 'true', 'prometheus.io/port': String(METRICS_PORT), 'prometheus.io/path': facts.metrics?.path ?? '/metrics',
            // A changed config rolls the pods.
            'ponte.dev/config-sha256': createHash('sha256').update(configYaml).digest('hex'),
          },
        },
        spec: {
          terminationGracePeriodSeconds: gracePeriodSeconds(facts.shutdownTimeoutMs),
          securityContext: { runAsNonRoot: true, runAsUser: IMAGE_UID, runAsGroup: IMAGE_UID, fsGroup: IMAGE_UID, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'ponte',
            image: o.image,
            args: ['node', CLI_MAIN, 'serve', '--config', `${CONFIG_DIR}/ponte.yaml`],
            ports,
            ...(env(o).length > 0 ? { env: env(o) } : {}),
            resources: RESOURCES,
            startupProbe: probe('/v2/health/ready', 2, 90),
            readinessProbe: probe('/v2/health/ready', 5, 2),
            livenessProbe: probe('/v2/health/live', 10, 3),
            lifecycle: { preStop: { exec: { command: ['sleep', String(PRE_STOP_SECONDS)] } } },
            securityContext: SECURITY,
            volumeMounts: mounts,
          }],
          volumes,
        },
      },
    },
  };
  const service: Manifest = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(o, o.name),
    spec: {
      type: 'ClusterIP',
      selector,
      ports: [
        { name: 'http', port: facts.httpPort, targetPort: 'http', protocol: 'TCP' },
        ...(facts.grpcPort !== undefined ? [{ name: 'grpc', port: facts.grpcPort, targetPort: 'grpc', protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' }] : []),
      ],
    },
  };
  const hpa: Manifest = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta(o, o.name),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: o.name },
      minReplicas: o.replicas,
      maxReplicas: o.maxReplicas,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: o.cpuTarget } } }],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    },
  };
  const pdb: Manifest = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(o, o.name),
    // maxUnavailable rather than minAvailable: a one-replica deployment must not block node drains forever.
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  };
  return { 'configmap.yaml': configMap(o, configName, configYaml), 'deployment.yaml': deployment, 'service.yaml': service, 'hpa.yaml': hpa, 'pdb.yaml': pdb };
}

/** KServe field names used here: v1beta1 InferenceService and v1alpha1 ServingRuntime as of KServe 0.13–0.15. */
export const KSERVE_VERSION = '0.14';
export const RUNTIME_NAME = 'ponte';

/** A KServe ServingRuntime running Ponte as an Open Inference Protocol runtime for ONNX, and an InferenceService using it. */
export function kserveManifests(o: K8sOptions, facts: DeployFacts, configYaml: string): Record<string, Manifest> {
  const configName = `${RUNTIME_NAME}-runtime-config`;
  // Knative (KServe's default, serverless mode) routes one port: REST. Probes go to it too.
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({ httpGet: { path, port: facts.httpPort }, periodSeconds, timeoutSeconds: 2, failureThreshold });
  const runtime: Manifest = {
    apiVersion: 'serving.kserve.io/v1alpha1',
    kind: 'ServingRuntime',
    metadata: meta(o, RUNTIME_NAME),
    spec: {
      annotations: { 'prometheus.kserve.io/port': String(METRICS_PORT), 'prometheus.kserve.io/path': facts.metrics?.path ?? '/metrics' },
      supportedModelFormats: [{ name: 'onnx', version: '1', autoSelect: true }],
      protocolVersions: ['v2', 'grpc-v2'],
      multiModel: false,
      containers: [{
        name: 'kserve-container',
        image: o.image,
        args: ['node', CLI_MAIN, 'serve', '--config', `${CONFIG_DIR}/ponte.yaml`],
        ports: [{ containerPort: facts.httpPort, protocol: 'TCP' }],
        ...(env(o).length > 0 ? { env: env(o) } : {}),
        resources: RESOURCES,
        readinessProbe: probe('/v2/health/ready', 5, 2),
        livenessProbe: probe('/v2/health/live', 10, 3),
        securityContext: { ...SECURITY, runAsNonRoot: true, runAsUser: IMAGE_UID },
        volumeMounts: [{ name: 'ponte-config', mountPath: CONFIG_DIR, readOnly: true }, { name: 'data', mountPath: DATA_DIR }, { name: 'tmp', mountPath: '/tmp' }],
      }],
      volumes: [{ name: 'ponte-config', configMap: { name: configName } }, { name: 'data', emptyDir: {} }, { name: 'tmp', emptyDir: {} }],
    },
  };
  const kserve = o.kserve!;
  const inferenceService: Manifest = {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: meta(o, o.name),
    spec: {
      predictor: {
        minReplicas: o.replicas,
        maxReplicas: o.maxReplicas,
        ...(kserve.canaryPercent !== undefined ? { canaryTrafficPercent: kserve.canaryPercent } : {}),
        terminationGracePeriodSeconds: gracePeriodSeconds(facts.shutdownTimeoutMs),
        model: {
          modelFormat: { name: 'onnx' },
          runtime: RUNTIME_NAME,
          protocolVersion: 'v2',
          storageUri: kserve.storageUri,
          resources: RESOURCES,
        },
      },
    },
  };
  return { 'configmap.yaml': configMap(o, configName, configYaml), 'servingruntime.yaml': runtime, 'inferenceservice.yaml': inferenceService };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Checks the flags; returns the options or the first problem. */
export function k8sOptions(f: K8sFlags): K8sOptions | string {
  const name = f.name ?? 'ponte';
  if (!DNS_LABEL.test(name)) return `--name ${name}: must be a DNS label (lower-case letters, digits and '-', at most 63)`;
  if (f.namespace !== undefined && !DNS_LABEL.test(f.namespace)) return `--namespace ${f.namespace}: must be a DNS label`;
  const int = (flag: string, v: string | undefined, fallback: number, min: number, max: number): number | string => {
    if (v === undefined) return fallback;
    const n = Number(v);
    return Number.isInteger(n) && n >= min && n <= max ? n : `--${flag} must be an integer between ${min} and ${max}`;
  };
  const replicas = int('replicas', f.replicas, 2, 1, 1000);
  if (typeof replicas === 'string') return replicas;
  const maxReplicas = int('max-replicas', f['max-replicas'], Math.max(replicas * 4, 4), replicas, 1000);
  if (typeof maxReplicas === 'string') return `${maxReplicas} (and at least --replicas)`;
  const cpuTarget = int('cpu-target', f['cpu-target'], 70, 1, 100);
  if (typeof cpuTarget === 'string') return cpuTarget;
  const secretRef = (flag: string, v: string | undefined, key: string): { secret: string; key: string } | string | undefined => {
    if (v === undefined) return undefined;
    const [secret = '', k = key] = v.split(':');
    return DNS_LABEL.test(secret) && /^[-._a-zA-Z0-9]+$/.test(k) ? { secret, key: k } : `--${flag} must be SECRET or SECRET:KEY (a Secret's name and one of its keys)`;
  };
  const postgres = secretRef('postgres-secret', f['postgres-secret'], 'url');
  if (typeof postgres === 'string') return postgres;
  const keys = secretRef('keys-secret', f['keys-secret'], 'keys.yaml');
  if (typeof keys === 'string') return keys;
  if (f['redis-url'] !== undefined && !/^rediss?:\/\/\S+$/.test(f['redis-url'])) return '--redis-url must be a redis:// or rediss:// URL';
  let kserve: K8sOptions['kserve'];
  if (f.kserve === true) {
    if (f['storage-uri'] === undefined || !/^[a-z][a-z0-9+.-]*:\/\/\S+$/.test(f['storage-uri'])) return '--kserve needs --storage-uri URI (s3://, gs://, pvc://, https:// … : the model repository KServe mounts at /mnt/models)';
    const canary = int('canary-percent', f['canary-percent'], -1, 0, 100);
    if (typeof canary === 'string') return canary;
    kserve = { storageUri: f['storage-uri'], canaryPercent: canary === -1 ? undefined : canary };
  } else if (f['storage-uri'] !== undefined || f['canary-percent'] !== undefined) {
    return '--storage-uri and --canary-percent are KServe settings: add --kserve';
  }
  return { name, image: f.image ?? DEFAULT_IMAGE, namespace: f.namespace, replicas, maxReplicas, cpuTarget, postgres, redisUrl: f['redis-url'], keys, kserve };
}

const HPA_NOTE = `# Scale on CPU. To scale on queued requests instead (or too), expose Ponte's ponte_queue_depth gauge
# through the Prometheus adapter (docs/deploy.md#scaling-on-queue-depth) and add to metrics:
#   - type: Pods
#     pods:
#       metric: { name: ponte_queue_depth }
#       target: { type: AverageValue, averageValue: "8" }
`;

/** `ponte k8s`: writes the manifests to --out (one file each), or prints them to stdout as one stream. */
export function k8sCommand(flags: K8sFlags, io: Io): number {
  const o = k8sOptions(flags);
  if (typeof o === 'string') {
    io.err(`ponte: k8s: ${o}\n`);
    return EXIT.usage;
  }
  let base: Record<string, unknown> | undefined;
  try {
    base = flags.config === undefined ? undefined : readDeployFacts(flags.config).raw;
  } catch (e) {
    io.err(`ponte: k8s: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.usage;
  }
  const warn = (m: string): void => io.err(`ponte: k8s: warning: ${m}\n`);
  if (flags.image === undefined) warn(`no --image: the manifests name ${DEFAULT_IMAGE}; build one with \`ponte docker\` and push it`);
  const config = clusterConfig(base, o, warn);
  const configYaml = `# Generated by ponte k8s${flags.config !== undefined ? ` from ${flags.config}` : ''}: the config every pod runs (${CONFIG_DIR}/ponte.yaml).\n${stringify(config)}`;
  const facts = deployFacts(config);
  const files = o.kserve ? kserveManifests(o, facts, configYaml) : kubernetesManifests(o, facts, configYaml);
  const rendered = Object.entries(files).map(([file, m]) => [file, `${file === 'hpa.yaml' ? HPA_NOTE : ''}${stringify(m, { lineWidth: 0 })}`] as const);
  if (flags.out === undefined) {
    io.out(rendered.map(([, text]) => text).join('---\n'));
    return EXIT.ok;
  }
  mkdirSync(flags.out, { recursive: true });
  for (const [file, text] of rendered) writeFileSync(join(flags.out, file), text);
  io.out(`wrote ${rendered.map(([file]) => join(flags.out!, file)).join(', ')}\napply:  kubectl apply -f ${flags.out}\n`);
  return EXIT.ok;
}
