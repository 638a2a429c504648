// docs/plugins.md's sink example, as a module a config loads by path with its options.
import { appendFile } from 'node:fs/promises';
import { definePlugin, Tokens } from '@ponte/core';

export default definePlugin<{ file: string }>({
  name: 'jsonl-log',
  kind: 'monitor',
  configSchema: { type: 'object', required: ['file'], properties: { file: { type: 'string' } } },
  register(ctx) {
    ctx.provide(Tokens.PredictionSink, {
      name: 'jsonl-log',
      capacity: 50_000,
      maxBatch: 512,
      async write(records) {
        const lines = records.map((r) => JSON.stringify({ id: r.requestId, time: r.time, model: r.model.name, version: r.model.version, features: r.features, principal: r.principal }));
        await appendFile(ctx.options.file, `${lines.join('\n')}\n`);
      },
    });
  },
});
