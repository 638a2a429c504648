/**
 * Child process of the in-process ONNX Runtime ceiling (run pinned by
 * ceiling.ts): one session with one intra-op thread, `session.run` back to
 * back on golden row 0 repeated to each batch size, no HTTP.
 *
 * usage: node ort-ceiling.js --model FILE --golden FILE --batches 1,32 --seconds 3
 * prints one line: CEILING_JSON {"1": {"rowsPerSec": …, "microsPerCall": …}, …}
 */
import ort from 'onnxruntime-node';
import { parseArgs } from 'node:util';
import { loadGolden } from './golden.js';

const { values } = parseArgs({ options: { model: { type: 'string' }, golden: { type: 'string' }, batches: { type: 'string', default: '1,32' }, seconds: { type: 'string', default: '3' } } });
const golden = loadGolden(values.golden!);
const session = await ort.InferenceSession.create(values.model!, { intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'] });
const row = golden.inputs[0]!;
const seconds = Number(values.seconds);
const result: Record<string, { rowsPerSec: number; microsPerCall: number }> = {};
for (const batch of values.batches!.split(',').map(Number)) {
  const data = new Float32Array(batch * row.length);
  for (let r = 0; r < batch; r++) data.set(row, r * row.length);
  const feeds = { [golden.input_name]: new ort.Tensor('float32', data, [batch, row.length]) };
  for (let i = 0; i < 50; i++) await session.run(feeds); // warm-up
  let calls = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  // Check the clock every 16 calls: cheap models run a call in ~10 µs.
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) await session.run(feeds);
    calls += 16;
  }
  const s = (performance.now() - t0) / 1000;
  result[String(batch)] = { rowsPerSec: (calls * batch) / s, microsPerCall: (s * 1e6) / calls };
}
await session.release();
process.stdout.write(`CEILING_JSON ${JSON.stringify(result)}\n`);
