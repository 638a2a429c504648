import type { Answers } from './answers.js';

/** The non-root user the image runs as (numeric, so Kubernetes' runAsNonRoot can check it), as `ponte docker`'s. */
const IMAGE_UID = 10001;
const PORT = 8080;

/**
 * The production Dockerfile. It follows `ponte docker`'s (a build stage with
 * compilers, a small runtime stage under tini, uid 10001, the readiness probe as
 * HEALTHCHECK) with one step more: this project has TypeScript to build, which
 * `ponte docker` — made for a config and its models — does not.
 */
export function renderDockerfile(answers: Answers): string {
  const sqlite = answers.store === 'sqlite';
  return `# syntax=docker/dockerfile:1
# ${answers.name}: the production image.
#   docker build -t ${answers.name} .        (podman: podman build --format docker -t ${answers.name} .)
#   docker run --rm -p ${PORT}:${PORT} ${answers.name}
ARG NODE_VERSION=20

FROM node:\${NODE_VERSION}-bookworm-slim AS build
# Compilers for native modules (better-sqlite3 compiles when no prebuilt binary fits) and tini: this stage only.
RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ tini \\
 && rm -rf /var/lib/apt/lists/*
# onnxruntime-node's install script downloads CUDA files; its CPU runtime ships in the package.
ENV ONNXRUNTIME_NODE_INSTALL=skip
WORKDIR /app
COPY package.json package-lock.json* ./
RUN --mount=type=cache,target=/root/.npm \\
    if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
COPY . .
# Build the plugin, then keep only what serving needs.
RUN npm run build \\
 && npm prune --omit=dev --no-audit --no-fund \\
 && rm -rf src test dist/test tsconfig.json
# ONNX Runtime ships binaries for every platform (~290 MB): keep this one's.
RUN ort=node_modules/onnxruntime-node/bin; \\
    if [ -d "$ort" ]; then \\
      find "$ort" -mindepth 2 -maxdepth 2 -not -name linux -exec rm -rf {} + ; \\
      find "$ort" -mindepth 3 -maxdepth 3 -path '*/linux/*' -not -name "$(node -p process.arch)" -exec rm -rf {} + ; \\
    fi

FROM node:\${NODE_VERSION}-bookworm-slim
# tini as PID 1 passes SIGTERM on to node, which drains in-flight requests (server.shutdownTimeoutMs) and reaps children.
COPY --from=build /usr/bin/tini-static /usr/bin/tini
RUN groupadd --system --gid ${IMAGE_UID} ponte \\
 && useradd --system --uid ${IMAGE_UID} --gid ponte --home-dir /app --no-create-home --shell /usr/sbin/nologin ponte
ENV NODE_ENV=production PONTE_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app /app${sqlite ? `
# The SQLite prediction log is written here: owned by the service user; mount a volume to keep it.
RUN mkdir -p /app/data && chown ${IMAGE_UID}:${IMAGE_UID} /app/data` : ''}
USER ${IMAGE_UID}:${IMAGE_UID}
EXPOSE ${PORT}
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \\
  CMD ["node", "-e", "fetch('http://127.0.0.1:${PORT}/v2/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "/app/node_modules/@ponte/cli/dist/src/main.js", "serve", "--config", "/app/ponte.yaml", "--host", "0.0.0.0"]
`;
}

/** What the image build leaves out: installed and built files, local data, VCS. */
export function renderDockerignore(): string {
  return ['.git', 'node_modules', 'dist', '*.tsbuildinfo', 'data/*.db', 'data/*.db-wal', 'data/*.db-shm', 'k8s', 'Dockerfile', '.dockerignore', ''].join('\n');
}

/** k8s/deployment.yaml: one pod per replica, probes on the health routes, SIGTERM drained before the kill. */
export function renderK8sDeployment(answers: Answers): string {
  const sqlite = answers.store === 'sqlite';
  const name = answers.name;
  return `# ${name}: kubectl apply -f k8s/ (push the image first and set its name below).
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: { app: ${name} }
spec:
${sqlite
    ? `  # The prediction log is a SQLite file in the pod: one replica, replaced (not rolled) on update.
  # For more replicas, use --store postgres (one log shared by all).
  replicas: 1
  strategy: { type: Recreate }`
    : '  replicas: 2'}
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }${answers.exporters.includes('prometheus') && !answers.auth ? `
      annotations: { prometheus.io/scrape: 'true', prometheus.io/port: '${PORT}', prometheus.io/path: /metrics }` : ''}
    spec:
      terminationGracePeriodSeconds: 30   # more than server.shutdownTimeoutMs (10 s)
      securityContext: { runAsNonRoot: true, runAsUser: ${IMAGE_UID}, runAsGroup: ${IMAGE_UID}, fsGroup: ${IMAGE_UID} }
      containers:
        - name: ponte
          image: ${name}:latest
          ports:
            - { name: http, containerPort: ${PORT} }
          env:
            - { name: PONTE_HOST, value: 0.0.0.0 }${answers.store === 'postgres' ? `
            - name: DATABASE_URL
              valueFrom: { secretKeyRef: { name: ${name}-database, key: url } }   # kubectl create secret generic ${name}-database --from-literal=url=postgres://…` : ''}
          readinessProbe: { httpGet: { path: /v2/health/ready, port: http }, periodSeconds: 5, failureThreshold: 2 }
          livenessProbe: { httpGet: { path: /v2/health/live, port: http }, periodSeconds: 10, failureThreshold: 3 }
          startupProbe: { httpGet: { path: /v2/health/ready, port: http }, periodSeconds: 2, failureThreshold: 60 }
          resources:
            requests: { cpu: 500m, memory: 256Mi }
            limits: { memory: 1Gi }
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }${sqlite ? `
          volumeMounts:
            - { name: data, mountPath: /app/data }
      volumes:
        - name: data
          emptyDir: {}   # the prediction log lives as long as the pod: use a PersistentVolumeClaim to keep it` : ''}
`;
}

export function renderK8sService(answers: Answers): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${answers.name}
  labels: { app: ${answers.name} }
spec:
  selector: { app: ${answers.name} }
  ports:
    - { name: http, port: 80, targetPort: http }
`;
}
