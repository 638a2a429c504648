import { PonteError } from '../errors.js';
import type { InferenceRequest } from '../inference.js';
import type { ModelSignature } from '../model.js';
import { formatShape } from '../tensor.js';

function bad(message: string): PonteError {
  return new PonteError('PONTE_VALIDATION_FAILED', message);
}

/**
 * Checks a request against the model signature: every input present once with
 * the right datatype and a shape the model accepts, and every requested output
 * known. This is core's job rather than a validator plugin's, because batching
 * and the runtime rely on it; content rules (ranges, enums) are plugins'.
 */
export function checkSignature(request: InferenceRequest, signature: ModelSignature): void {
  const seen = new Set<string>();
  request.inputs.forEach((t, i) => {
    const spec = signature.inputs.find((s) => s.name === t.name);
    if (spec === undefined) {
      throw bad(`inputs[${i}].name: unknown input "${t.name}" (the model takes ${signature.inputs.map((s) => `"${s.name}"`).join(', ')})`);
    }
    if (seen.has(t.name)) throw bad(`inputs[${i}].name: input "${t.name}" given twice`);
    seen.add(t.name);
    if (t.datatype !== spec.datatype) throw bad(`inputs[${i}].datatype: input "${t.name}" must be ${spec.datatype}, got ${t.datatype}`);
    if (t.shape.length !== spec.shape.length) {
      throw bad(`inputs[${i}].shape: input "${t.name}" must have ${spec.shape.length} dimensions ${formatShape(spec.shape)}, got ${formatShape(t.shape)}`);
    }
    for (let d = 0; d < spec.shape.length; d++) {
      const want = spec.shape[d]!;
      if (want >= 0 && t.shape[d] !== want) {
        throw bad(`inputs[${i}].shape: dimension ${d} of input "${t.name}" must be ${want} (model shape ${formatShape(spec.shape)}), got ${formatShape(t.shape)}`);
      }
    }
  });
  for (const spec of signature.inputs) {
    if (!seen.has(spec.name)) throw bad(`inputs: missing input "${spec.name}" (${spec.datatype} ${formatShape(spec.shape)})`);
  }
  const asked = new Set<string>();
  request.outputs?.forEach((o, i) => {
    if (asked.has(o.name)) throw bad(`outputs[${i}].name: output "${o.name}" asked for twice`);
    asked.add(o.name);
    if (!signature.outputs.some((s) => s.name === o.name)) {
      throw bad(`outputs[${i}].name: unknown output "${o.name}" (the model gives ${signature.outputs.map((s) => `"${s.name}"`).join(', ')})`);
    }
  });
}
