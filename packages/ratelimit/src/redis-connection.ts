import { Redis } from 'ioredis';
import type { Logger } from '@ponte/core';
import type { RedisStoreOptions } from './ratelimit-options.js';

/** How often a live connection is pinged: a connection that stops answering without closing is dropped within about this. */
const WATCHDOG_MS = 1000;

/**
 * The plugin's one Redis connection, set up so that a request never waits on an outage: no
 * offline queue (a command while disconnected fails at once), short connect and command
 * timeouts, and a watchdog that drops a connection which stopped answering — while the
 * connection is not ready, the limiters answer from their local (insurance) limit without
 * trying Redis. ioredis keeps reconnecting in the background; shared counting resumes when it is back.
 */
export class RedisConnection {
  readonly client: Redis;
  private readonly where: string;
  private watchdog: NodeJS.Timeout | undefined;
  private lastErrorLog = 0;
  private down = false;

  constructor(options: RedisStoreOptions, private readonly logger: Logger) {
    const url = new URL(options.url);
    // Host and port only: the URL may hold a password.
    this.where = `${url.hostname}:${url.port || '6379'}`;
    this.client = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: options.connectTimeoutMs,
      commandTimeout: options.commandTimeoutMs,
      retryStrategy: (attempt) => Math.min(attempt * 100, 2000),
    });
    this.client.on('error', (e: Error) => {
      // Reconnection attempts each fail while Redis is down: one line a minute is enough.
      const now = Date.now();
      if (now - this.lastErrorLog < 60_000) return;
      this.lastErrorLog = now;
      this.logger.warn({ redis: this.where, err: e.message }, 'redis error: rate limits fall back to each process\'s local limit');
    });
    this.client.on('ready', () => {
      if (this.down) this.logger.info({ redis: this.where }, 'redis is back: rate limits are shared again');
      this.down = false;
    });
    this.client.on('close', () => {
      if (!this.down && this.watchdog !== undefined) this.logger.warn({ redis: this.where }, 'redis connection lost: rate limits fall back to each process\'s local limit');
      this.down = true;
    });
  }

  /** Connects, waiting at most the connect timeout; a Redis that is down at start-up is an outage, not a failed start. */
  async start(): Promise<void> {
    this.watchdog = setInterval(() => this.ping(), WATCHDOG_MS).unref();
    try {
      await this.client.connect();
      this.logger.info({ redis: this.where }, 'rate limits shared through redis');
    } catch (e) {
      this.down = true;
      this.logger.warn({ redis: this.where, err: (e as Error).message }, 'redis unreachable at start: rate limits are local to this process until it answers');
    }
  }

  async stop(): Promise<void> {
    if (this.watchdog !== undefined) clearInterval(this.watchdog);
    this.watchdog = undefined;
    try {
      if (this.client.status === 'ready') await this.client.quit();
    } catch {
      // quitting a connection that broke meanwhile: disconnect below is all that is left to do
    }
    this.client.disconnect();
  }

  private ping(): void {
    // Only a ready connection: one still connecting is bounded by the connect timeout, and its
    // ready check by the command timeout (ioredis then reconnects by itself).
    if (this.client.status !== 'ready') return;
    // A command timeout (not a closed socket) means the peer stopped answering: reconnect, so
    // that requests go to the local limit at once instead of each waiting the timeout.
    this.client.ping().catch(() => {
      if (this.client.status === 'ready') this.client.disconnect(true);
    });
  }
}
