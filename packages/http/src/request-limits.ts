import type { ServerOptions } from 'node:http';
import type { PonteConfig } from '@ponte/core';

/**
 * What one REST request may ask of the server, from `server.bodyLimitBytes`
 * and `server.limits`: the exchange reads its body within `bodyBytes`, JSON
 * bodies are refused past `jsonDepth` before they are parsed, and input
 * tensors past `tensorElements` before anything is allocated.
 */
export interface RequestLimits {
  readonly bodyBytes: number;
  readonly jsonDepth: number;
  readonly tensorElements: number;
}

/** The limits of a server config. */
export function requestLimitsOf(server: PonteConfig['server']): RequestLimits {
  return { bodyBytes: server.bodyLimitBytes, jsonDepth: server.limits.jsonDepth, tensorElements: server.limits.tensorElements };
}

/**
 * Options for Node's HTTP server that bound what happens before a request
 * reaches the pipeline: the size of its head (`server.limits.headerBytes`;
 * Node answers 431 past it) and the time to receive it, head and body
 * (`server.requestTimeoutMs`; Node answers 408 and closes the connection).
 * Node checks the receive time every `connectionsCheckingInterval`, so a
 * slow sender is cut off within a second of its deadline, not 30 s after.
 */
export function nodeServerOptions(server: PonteConfig['server']): ServerOptions {
  const requestTimeout = server.requestTimeoutMs;
  return {
    maxHeaderSize: server.limits.headerBytes,
    requestTimeout,
    // Node refuses a head timeout longer than the whole request's.
    headersTimeout: Math.min(60_000, requestTimeout),
    connectionsCheckingInterval: Math.min(1_000, requestTimeout),
  };
}
