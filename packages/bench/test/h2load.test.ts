/**
 * The gRPC row is driven by h2load when it is installed: its summary and its
 * per-call log must turn into the same figures as wrk's (req/s, p50/p99,
 * errors), and calls that failed inside gRPC (HTTP 200 with a non-OK status)
 * must be found in Ponte's request log rather than pass as answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Http2Server } from 'node:http2';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failedGrpcCalls, h2loadAvailable, parseH2load, runH2load } from '../src/h2load.js';

const skip = h2loadAvailable() ? false : 'h2load is not installed (apt-get install nghttp2-client)';

test('a short real h2load run against an HTTP/2 server is parsed into req/s, latencies and errors', { skip }, async (t) => {
  let calls = 0;
  const server: Http2Server = createServer((req, res) => {
    req.resume().on('end', () => {
      calls++;
      res.writeHead(200, { 'content-type': 'application/grpc' }).end(Buffer.from([0, 0, 0, 0, 0]));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'ponte-h2load-'));
  const body = join(dir, 'frame.bin');
  writeFileSync(body, Buffer.from([0, 0, 0, 0, 0]));
  const logFile = join(dir, 'calls.tsv');
  const stats = await runH2load({ url: `http://127.0.0.1:${port}/inference.GRPCInferenceService/ModelInfer`, bodyFile: body, streams: 4, durationS: 1, cpu: 0, logFile });
  assert.ok(stats.requests > 0, 'some calls were made');
  assert.equal(stats.errors, 0);
  assert.ok(Math.abs(stats.durationS - 1) < 0.2, `ran ~1 s, not ${stats.durationS}`);
  assert.ok(Math.abs(stats.rps - stats.requests / stats.durationS) < 1e-6);
  assert.ok(stats.requests <= calls, 'every counted call reached the server');
  assert.equal(readFileSync(logFile, 'utf8').trim().split('\n').length, stats.requests, 'one log line per call');
  assert.ok(stats.p50Ms > 0 && stats.p50Ms <= stats.p99Ms && stats.p99Ms <= stats.maxMs);
});

test('h2load output without a summary is an error, not zeros; 4xx/5xx and failed calls are errors', () => {
  assert.throws(() => parseH2load('connect error', ''), /no summary/);
  const s = parseH2load(
    'finished in 2.00s, 4.00 req/s, 1KB/s\nrequests: 10 total, 10 started, 8 done, 6 succeeded, 2 failed, 1 errored, 0 timeout\nstatus codes: 6 2xx, 0 3xx, 1 4xx, 1 5xx\n',
    '1\t200\t1000\n2\t200\t3000\n',
  );
  assert.equal(s.requests, 8);
  assert.equal(s.rps, 4);
  assert.equal(s.non2xx, 2);
  assert.equal(s.errors, 2 + 1 + 2);
  assert.equal(s.p50Ms, 1);
  assert.equal(s.maxMs, 3);
});

test('calls that did not end OK are counted from Ponte\'s request log', () => {
  const line = (code: string): string => JSON.stringify({ level: 'info', plugin: '@ponte/grpc', protocol: 'grpc', method: 'ModelInfer', code, msg: 'request' });
  const log = [line('OK'), line('RESOURCE_EXHAUSTED'), '{"msg":"listening"}', line('OK'), line('INVALID_ARGUMENT')].join('\n');
  assert.equal(failedGrpcCalls(log), 2);
});
