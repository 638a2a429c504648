/**
 * Options of the `@ponte/grpc` plugin, as config gives them (defaults filled
 * from `grpcOptionsSchema`).
 *
 * @example
 * ```yaml
 * plugins:
 *   - package: '@ponte/grpc'
 *     options: { port: 8081, tls: { certFile: certs/server.crt, keyFile: certs/server.key } }
 * ```
 */
export interface GrpcOptions {
  /** Interface to listen on; default 127.0.0.1 (use 0.0.0.0 in a container). */
  host: string;
  /** Port; 0 picks a free one (read it from the `GrpcEndpoint`). Default 8081. */
  port: number;
  /** TLS; paths are relative to the config file's folder, reloaded when they change. Omit to follow `server.tls` (plaintext without it). */
  tls?: GrpcTlsOptions;
  /** Largest request message accepted, bytes; larger ones get RESOURCE_EXHAUSTED. Default 64 MiB. */
  maxReceiveMessageBytes: number;
  /** Largest response message sent, bytes. Default 64 MiB. */
  maxSendMessageBytes: number;
}

/** TLS for the gRPC port: a certificate and key, and optionally a CA for client certificates (mutual TLS). */
export interface GrpcTlsOptions {
  certFile: string;
  keyFile: string;
  /** CA bundle to verify client certificates against (mutual TLS). */
  caFile?: string;
  /** Refuse clients without a certificate signed by `caFile`. Default false. */
  requireClientCert: boolean;
  /**
   * As `server.tls.clientCertificates`: `request` asks clients for a certificate (checked
   * against `caFile`, passed to authenticators such as `@ponte/auth-mtls`), `require` refuses
   * clients without a valid one. Default: `require` when `requireClientCert`, else `none`.
   */
  clientCertificates?: 'none' | 'request' | 'require';
}

/** 64 MiB: room for a large raw batch, far above grpc-js's 4 MiB default. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** JSON Schema of the plugin's `options`; unknown keys are refused. */
export const grpcOptionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    host: { type: 'string', minLength: 1, default: '127.0.0.1' },
    port: { type: 'integer', minimum: 0, maximum: 65535, default: 8081 },
    tls: {
      type: 'object',
      additionalProperties: false,
      required: ['certFile', 'keyFile'],
      properties: {
        certFile: { type: 'string', minLength: 1 },
        keyFile: { type: 'string', minLength: 1 },
        caFile: { type: 'string', minLength: 1 },
        requireClientCert: { type: 'boolean', default: false },
        clientCertificates: { enum: ['none', 'request', 'require'] },
      },
      allOf: [
        { if: { properties: { requireClientCert: { const: true } }, required: ['requireClientCert'] }, then: { required: ['caFile'] } },
        { if: { properties: { clientCertificates: { enum: ['request', 'require'] } }, required: ['clientCertificates'] }, then: { required: ['caFile'] } },
      ],
    },
    maxReceiveMessageBytes: { type: 'integer', minimum: 1024, default: DEFAULT_MAX_MESSAGE_BYTES },
    maxSendMessageBytes: { type: 'integer', minimum: 1024, default: DEFAULT_MAX_MESSAGE_BYTES },
  },
} as const;
