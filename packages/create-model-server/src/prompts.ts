import { existsSync } from 'node:fs';
import { cancel, confirm, isCancel, multiselect, select, text } from '@clack/prompts';
import { DEFAULTS, type ExporterChoice, type GivenAnswers, type StoreChoice } from './answers.js';

/** Thrown when the user cancels a question (Ctrl-C, Esc): nothing has been written yet. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled: nothing was written');
  }
}

function answered<T>(value: T): Exclude<T, symbol> {
  if (isCancel(value)) {
    cancel('Cancelled: nothing was written.');
    throw new Cancelled();
  }
  return value as Exclude<T, symbol>;
}

/**
 * Asks, on a terminal, each question a flag did not answer, each with its
 * default preselected, so Enter through every one gives the `--yes` project.
 */
export async function askMissing(given: GivenAnswers): Promise<GivenAnswers> {
  const out: GivenAnswers = { ...given };
  if (out.dir === undefined) {
    out.dir = answered(await text({
      message: 'Folder of the new service',
      placeholder: 'my-service',
      defaultValue: 'my-service',
      validate: (v) => (v !== undefined && v.trim() !== '' && existsSync(v.trim()) && out.force !== true ? `${v.trim()} exists: choose another folder (or pass --force)` : undefined),
    })).trim();
  }
  if (out.model === undefined) {
    const which = answered(await select({
      message: 'Which model?',
      initialValue: 'example',
      options: [
        { value: 'example', label: 'The example', hint: 'purchase: will this customer buy? ONNX, 8 named features, with reference data' },
        { value: 'file', label: 'A model file of my own', hint: '.onnx, or a JavaScript module (.mjs)' },
      ],
    }));
    if (which === 'file') {
      out.model = answered(await text({
        message: 'Path of the model file',
        placeholder: './model.onnx',
        validate: (v) => (v === undefined || v.trim() === '' ? 'a path, please' : existsSync(v.trim()) ? undefined : `${v.trim()}: no such file`),
      })).trim();
      const data = answered(await text({
        message: 'Reference data for monitoring (CSV or JSON lines; empty for none)',
        placeholder: 'none',
        defaultValue: '',
        validate: (v) => (v === undefined || v.trim() === '' || existsSync(v.trim()) ? undefined : `${v.trim()}: no such file`),
      })).trim();
      if (data !== '') out.data = data;
    } else {
      out.model = 'example';
    }
  }
  if (out.auth === undefined) {
    out.auth = answered(await confirm({ message: 'Require an API key? (one is made for you and printed once)', initialValue: DEFAULTS.auth }));
  }
  if (out.store === undefined) {
    out.store = answered(await select<StoreChoice>({
      message: 'Where should the prediction log go?',
      initialValue: DEFAULTS.store,
      options: [
        { value: 'sqlite', label: 'SQLite', hint: 'a file under data/, nothing to run' },
        { value: 'postgres', label: 'PostgreSQL', hint: 'DATABASE_URL; for several replicas' },
        { value: 'none', label: 'Nowhere', hint: 'no log, no monitoring' },
      ],
    }));
  }
  if (out.exporters === undefined) {
    out.exporters = answered(await multiselect<ExporterChoice>({
      message: 'Metrics and traces (space to toggle)',
      initialValues: [...DEFAULTS.exporters],
      required: false,
      options: [
        { value: 'prometheus', label: 'Prometheus', hint: '/metrics' },
        { value: 'otel', label: 'OpenTelemetry', hint: 'traces and metrics over OTLP/HTTP' },
      ],
    }));
  }
  if (out.monitoring === undefined && out.store !== 'none') {
    out.monitoring = answered(await confirm({ message: 'Monitor drift, data quality and performance? (with a dashboard)', initialValue: DEFAULTS.monitoring }));
  }
  return out;
}
