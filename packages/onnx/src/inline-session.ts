import type { LoadedModel, RunRequest, Tensor } from '@ponte/core';
import { InferenceSession } from 'onnxruntime-node';
import { fromOrt, signatureOf, toOrt } from './tensor-convert.js';

/**
 * A session run on the calling thread. `session.run` blocks the event loop
 * while the model computes, so this is only the right choice for models that
 * answer in microseconds (where a hop to a worker thread costs more than the
 * model) or for tools that do nothing else.
 */
export class InlineSession implements LoadedModel {
  readonly platform = 'onnx_onnxv1';
  readonly instances = 1;
  readonly signature;
  private readonly allOutputs: string[];
  private closed = false;

  private constructor(private readonly session: InferenceSession) {
    this.signature = signatureOf(session);
    this.allOutputs = this.signature.outputs.map((o) => o.name);
  }

  static async create(file: string, options: InferenceSession.SessionOptions): Promise<InlineSession> {
    return new InlineSession(await InferenceSession.create(file, options));
  }

  async run(request: RunRequest): Promise<Tensor[]> {
    const feeds: Record<string, ReturnType<typeof toOrt>> = {};
    for (const t of request.inputs) feeds[t.name] = toOrt(t);
    const names = request.outputs ?? this.allOutputs;
    const out = await this.session.run(feeds, names);
    return names.map((n) => fromOrt(n, out[n]!));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }
}
