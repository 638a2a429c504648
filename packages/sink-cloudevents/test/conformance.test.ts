/**
 * The CloudEvents sink passes the suite every sink passes (`@ponte/testing`):
 * the sink a server built from this plugin's options provides, posting to a
 * real receiver on 127.0.0.1 that counts the events, and the same sink aimed
 * at a port where nothing listens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { resolveAllTokens, Tokens, type PonteServer, type PredictionSink } from '@ponte/core';
import { startTestServer } from '@ponte/core/testing';
import { sinkConformance } from '@ponte/testing';

let received = 0;
const receiver = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d: string) => { body += d; });
  req.on('end', () => {
    received += (JSON.parse(body) as unknown[]).length;
    res.writeHead(202).end();
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const { port } = receiver.address() as AddressInfo;

// A port that was free a moment ago: connections to it are refused.
const closed = createServer();
await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
const closedPort = (closed.address() as AddressInfo).port;
await new Promise((resolve) => closed.close(resolve));

const sinkOf = async (url: string): Promise<{ server: PonteServer; sink: PredictionSink }> => {
  const server = await startTestServer({ config: { plugins: [{ package: '@ponte/sink-cloudevents', options: { url, timeoutMs: 10_000 } }] } });
  return { server, sink: resolveAllTokens(server.container, Tokens.PredictionSink).find((s) => s.name === 'cloudevents')! };
};
const good = await sinkOf(`http://127.0.0.1:${port}/events`);
const down = await sinkOf(`http://127.0.0.1:${closedPort}/events`);
after(async () => {
  await down.server.stop();
  await new Promise((resolve) => receiver.close(resolve));
});

sinkConformance('@ponte/sink-cloudevents', {
  sink: good.sink,
  delivered: () => received,
  failing: down.sink,
  close: () => good.server.stop(),
});
