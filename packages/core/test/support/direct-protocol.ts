import type { Exchange, PonteError, RequestContext, RouteAction } from '../../src/index.js';

/** What a request run straight through the pipeline answers: a status and a value or error code. */
export interface DirectAnswer {
  status: number;
  value?: unknown;
  code?: string;
  message?: string;
  headers?: Record<string, string>;
}

/**
 * The smallest protocol there is, for core's own tests: a request handed to
 * `RequestPipeline.handle` in process, with whatever headers, action and
 * model the test names. It shows what a protocol plugin must supply: no more.
 */
export class DirectExchange implements Exchange<DirectAnswer> {
  readonly protocol = 'direct';
  readonly method = 'CALL';
  readonly requestId: string;
  readonly model: string | undefined;
  readonly version: string | undefined;
  readonly headers: Readonly<Record<string, string | undefined>>;

  constructor(readonly endpoint: string, readonly action: RouteAction, options: { model?: string; version?: string; headers?: Record<string, string>; requestId?: string } = {}) {
    this.model = options.model;
    this.version = options.version;
    this.headers = options.headers ?? {};
    this.requestId = options.requestId ?? `test-${Math.random().toString(36).slice(2)}`;
  }

  timeoutMs(): number | undefined {
    return undefined;
  }

  fail(error: PonteError, _ctx: RequestContext | undefined): DirectAnswer {
    return { status: error.status, code: error.code, message: error.message, headers: error.headers };
  }

  statusOf(answer: DirectAnswer): number {
    return answer.status;
  }
}
