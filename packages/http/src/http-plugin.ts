import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConfigError, definePlugin, PREDICTION_LOG_SINK, secureContextOptions, tlsFiles, TlsWatcher, Tokens, type PredictionStore, type ProtocolEndpoint } from '@ponte/core';
import { corsPolicyOf, withCors } from './cors.js';
import { addCustomRoutes } from './custom-routes.js';
import { modelConfigured } from './model-configured.js';
import { fetchApp } from './fetch-app.js';
import { healthRoutes } from './health-routes.js';
import { httpListener } from './http-listener.js';
import { nativeInferJson } from './infer-json.js';
import { oipRoutes } from './oip-routes.js';
import { predictionLogRoutes } from './prediction-log-routes.js';
import { predictRoutes } from './predict-routes.js';
import { nodeServerOptions, requestLimitsOf } from './request-limits.js';
import { HttpRouteTable } from './route-table.js';
import { HttpTokens } from './tokens.js';

/** Where the REST listener is bound, as `Tokens.ProtocolEndpoint` reports it. */
class RestEndpoint implements ProtocolEndpoint {
  readonly protocol = 'rest';
  server: Server | HttpsServer | undefined;

  constructor(private readonly host: string, private readonly scheme: 'http' | 'https') {}

  get port(): number | undefined {
    return (this.server?.address() as AddressInfo | null)?.port;
  }

  get address(): string | undefined {
    const port = this.port;
    return port === undefined ? undefined : `${this.scheme}://${this.host.includes(':') ? `[${this.host}]` : this.host}:${port}`;
  }
}

/**
 * The REST protocol: the Open Inference Protocol v2 (KServe/Triton
 * compatible, with the binary tensor extension), the named-feature JSON API
 * and the health probes, on `server.host:server.port`, every route matched
 * against one table and run through core's request pipeline. Loaded by
 * default (the CLI and `startTestServer` add it); list it to be explicit.
 *
 * @example
 * ```yaml
 * plugins: ['@ponte/http', '@ponte/onnx']
 * server: { host: 0.0.0.0, port: 8080, bodyLimitBytes: 8388608 }
 * ```
 */
export const httpProtocol = definePlugin({
  name: '@ponte/http',
  kind: 'protocol',
  core: '^0.1.0',
  description: 'Open Inference Protocol v2 over REST and the named-feature JSON API (node:http, Hono for fetch)',
  configSchema: { type: 'object', additionalProperties: false },
  register(ctx) {
    const { server } = ctx.config;
    const info = ctx.resolve(Tokens.ServerInfo);
    info.extensions.push('binary_tensor_data');
    // Core services exist once every plugin has registered: routes read them on their first request.
    const registry = ctx.later(Tokens.ModelRegistry);
    const lifecycle = ctx.later(Tokens.Lifecycle);
    const pipeline = ctx.later(Tokens.RequestPipeline);

    const routes = new HttpRouteTable();
    const store = (): PredictionStore | undefined => ctx.resolveAll(Tokens.PredictionStore)[0];
    const sinks = ctx.later(Tokens.SinkHub);
    const settleLog = (): Promise<void> => sinks().settle(PREDICTION_LOG_SINK);
    for (const r of [...oipRoutes(registry, info), ...predictRoutes(registry), ...predictionLogRoutes(registry, store, settleLog), ...healthRoutes(lifecycle, registry)]) routes.add(r, ctx.name);
    const problems = addCustomRoutes(routes, ctx.config.routes ?? [], (name) => modelConfigured(ctx.config, ctx.baseDir, name), ctx.name);
    if (problems.length > 0) throw new ConfigError(problems);
    ctx.provide(HttpTokens.Routes, routes);
    const limits = requestLimitsOf(server);
    const cors = corsPolicyOf(server);
    ctx.provide(HttpTokens.FetchApp, fetchApp(routes, pipeline, limits, cors));
    const endpoint = new RestEndpoint(server.host, server.tls === undefined ? 'http' : 'https');
    let tls: TlsWatcher | undefined;
    ctx.provide(Tokens.ProtocolEndpoint, endpoint);

    return {
      async start() {
        const listener = withCors(cors, routes, httpListener(routes, pipeline(), limits));
        let s: Server | HttpsServer;
        if (server.tls === undefined) s = createServer(nodeServerOptions(server), listener);
        else {
          // HTTPS: the files are checked before binding (a bad one stops the start, naming it) and reloaded when they change.
          const mode = server.tls.clientCertificates;
          let secure: HttpsServer | undefined;
          tls = new TlsWatcher(tlsFiles(server.tls, ctx.baseDir, 'server.tls'), ctx.logger, (m) => secure?.setSecureContext(secureContextOptions(m)));
          const material = await tls.start();
          secure = createHttpsServer({ ...nodeServerOptions(server), ...secureContextOptions(material), requestCert: mode !== 'none', rejectUnauthorized: mode === 'require' }, listener);
          s = secure;
        }
        s.keepAliveTimeout = 65_000;
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.listen(server.port, server.host, () => {
            s.off('error', reject);
            resolve();
          });
        }).catch((e: unknown) => {
          tls?.stop();
          throw e;
        });
        endpoint.server = s;
        ctx.logger.info({ url: endpoint.address, ...(tls === undefined ? {} : { tls: { fingerprint256: tls.current.fingerprint256, clientCertificates: server.tls?.clientCertificates } }), oipJsonParser: nativeInferJson ? 'native' : 'JSON.parse' }, 'REST listening');
      },
      async stop() {
        tls?.stop();
        const s = endpoint.server;
        if (s === undefined) return;
        endpoint.server = undefined;
        // Core has drained in-flight requests by now: close idle keep-alive connections at once, the rest shortly after.
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeIdleConnections();
          setTimeout(() => { s.closeAllConnections(); }, 100).unref();
        });
      },
    };
  },
});
