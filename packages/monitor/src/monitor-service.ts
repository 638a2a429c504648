import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { JsonValue, Logger, MetricFamily, MetricSample, ModelRegistry, PredictionStore } from '@ponte/core';
import { ruleFires } from './alert-rules.js';
import type { ReferenceProfile } from './engine/index.js';
import { mainOutputOf, taskOf } from '@ponte/http';
import { monitoringConfig, ruleName, type AlertRule } from './monitoring-config.js';
import type { AlertEvent, Notifier } from './notifier.js';
import { VersionMonitor } from './version-monitor.js';
import { DOC, timeKey, type WindowReport } from './window-report.js';

export interface MonitorServiceOptions {
  /** How often the log is read and windows are closed. */
  readonly tickMs: number;
  /** How far behind now the monitor reads: the prediction log writes in batches, so the newest records may not be stored yet. */
  readonly lagMs: number;
  /** How often labels that arrived since are joined to the recent windows. */
  readonly performanceEveryMs: number;
  /** How many of each version's newest windows take part in the label join. */
  readonly labelWindows: number;
}

/** An alert rule's stored state. */
interface AlertState {
  readonly firing: boolean;
  readonly since?: string;
}

/** Reads a profile file written by `ponte profile`. */
function readProfile(file: string): ReferenceProfile {
  const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<ReferenceProfile>;
  if (value.format !== 'ponte.reference-profile' || value.version !== 1) throw new Error('not a Ponte reference profile (format ponte.reference-profile, version 1)');
  return value as ReferenceProfile;
}

/** The model's performance on its reference data, metric by metric, for rules without a threshold. */
function referencePerformance(profile: ReferenceProfile): Record<string, number> | undefined {
  const perf = profile.output?.performance;
  if (perf === null || perf === undefined) return undefined;
  return Object.fromEntries(Object.entries(perf).map(([k, v]) => [k, v.value]));
}

/** The lease that makes one replica (one process) the one that closes windows. */
const LEASE = 'ponte-monitor';

/**
 * Watches every ready version of every model with monitoring on: one
 * replica at a time (the holder of a store lease) reads the log, closes and
 * evaluates windows, joins labels and raises alerts; every replica answers
 * reports and exports the newest window's figures from the shared store.
 */
export class MonitorService {
  private readonly monitors = new Map<string, VersionMonitor>();
  private readonly problems = new Map<string, string>();
  private readonly latest = new Map<string, { window: WindowReport; firing: Array<{ rule: AlertRule; name: string }> }>();
  private readonly owner = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastPerformance = 0;
  private holding = false;

  constructor(
    private readonly store: PredictionStore,
    private readonly registry: () => ModelRegistry,
    private readonly options: MonitorServiceOptions,
    private readonly notifiers: readonly Notifier[],
    private readonly logger: Logger,
  ) {}

  start(): void {
    const loop = (): void => {
      this.running = this.tick().catch((err: unknown) => this.logger.warn({ err }, 'monitoring tick failed; retrying at the next one')).finally(() => {
        this.running = undefined;
        if (this.timer !== undefined) this.timer = setTimeout(loop, this.options.tickMs).unref();
      });
    };
    this.timer = setTimeout(loop, Math.min(this.options.tickMs, 1000)).unref();
  }

  async stop(): Promise<void> {
    const t = this.timer;
    this.timer = undefined;
    if (t !== undefined) clearTimeout(t);
    await this.running;
    if (this.holding) await this.store.releaseLease(LEASE, this.owner).catch(() => undefined);
  }

  /** Finds the ready versions with monitoring on, loading each one's reference profile once. */
  private discover(): void {
    const registry = this.registry();
    for (const m of registry.readyVersions()) {
      const key = `${m.name}/${m.version}`;
      if (this.monitors.has(key) || this.problems.has(key)) continue;
      const cfg = monitoringConfig(m.config.monitoring);
      if (!cfg.enabled) continue;
      const file = isAbsolute(cfg.profile) ? cfg.profile : join(m.config.source, m.version, cfg.profile);
      let profile: ReferenceProfile;
      try {
        profile = readProfile(file);
      } catch (e) {
        const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
        const reason = `no usable reference profile at ${cfg.profile} (${missing ? 'no such file' : e instanceof Error ? e.message.split('\n')[0] : String(e)}): make one with \`ponte profile --model ${m.name} --data reference.csv\``;
        this.problems.set(key, reason);
        // A model without a monitoring section is monitored when it has a profile; without one, that is no news.
        if (m.config.monitoring !== undefined || !missing) this.logger.warn({ model: m.name, version: m.version }, reason);
        continue;
      }
      const featureNames = m.config.features?.map((f) => f.name) ?? [];
      const shape = { task: taskOf(m.config, m.signature), labels: m.config.labels, mainOutput: mainOutputOf(m.config, m.signature)?.name, featureNames };
      this.monitors.set(key, new VersionMonitor(this.store, m.name, m.version, shape, cfg, profile, this.logger));
    }
  }

  /** One pass: discover versions, and if this process holds the lease, advance every monitor and join labels. */
  async tick(now = Date.now()): Promise<void> {
    this.discover();
    if (this.monitors.size === 0) return;
    this.holding = await this.store.acquireLease(LEASE, this.owner, Math.max(3 * this.options.tickMs, 10_000));
    if (!this.holding) {
      for (const m of this.monitors.values()) await this.remember(m, await m.windows(Math.max(...m.config.alerts.map((r) => r.windows), 1)));
      return;
    }
    const joinLabels = now - this.lastPerformance >= this.options.performanceEveryMs;
    if (joinLabels) this.lastPerformance = now;
    for (const m of this.monitors.values()) {
      const closed = await m.advance(now - this.options.lagMs);
      let changed = closed.length > 0;
      if (joinLabels) {
        for (const w of await m.windows(this.options.labelWindows)) {
          if ((await m.refreshPerformance(w)) !== undefined) changed = true;
        }
      }
      const needed = Math.max(...m.config.alerts.map((r) => r.windows), 1);
      const windows = await m.windows(needed);
      await this.remember(m, windows);
      if (changed) await this.evaluateAlerts(m, windows);
    }
  }

  private async remember(m: VersionMonitor, windows: readonly WindowReport[]): Promise<void> {
    const newest = windows[windows.length - 1];
    if (newest === undefined) return;
    const firing: Array<{ rule: AlertRule; name: string }> = [];
    for (const [i, rule] of m.config.alerts.entries()) {
      const doc = await this.store.getDocument(DOC.alertState, `${m.key}/${i}`);
      if ((doc?.body as AlertState | undefined)?.firing === true) firing.push({ rule, name: ruleName(rule) });
    }
    this.latest.set(m.key, { window: newest, firing });
  }

  private async evaluateAlerts(m: VersionMonitor, windows: readonly WindowReport[]): Promise<void> {
    const newest = windows[windows.length - 1];
    if (newest === undefined) return;
    const reference = referencePerformance(m.profile);
    const firing: Array<{ rule: AlertRule; name: string }> = [];
    for (const [i, rule] of m.config.alerts.entries()) {
      const key = `${m.key}/${i}`;
      const before = (await this.store.getDocument(DOC.alertState, key))?.body as AlertState | undefined;
      const { fires, latest } = ruleFires(rule, windows, reference, m.config.minLabels);
      const name = ruleName(rule);
      if (fires) firing.push({ rule, name });
      const was = before?.firing === true;
      if (fires === was) continue;
      const at = new Date().toISOString();
      const event: AlertEvent = {
        status: fires ? 'firing' : 'resolved', alert: name, model: m.model, version: m.version, severity: rule.severity, when: rule.when,
        detail: latest?.detail ?? '', ...(latest?.value !== undefined ? { value: latest.value } : {}),
        window: { seq: newest.seq, start: newest.start, end: newest.end },
        startsAt: fires ? at : (before?.since ?? at), ...(fires ? {} : { endsAt: at }),
      };
      const state: AlertState = fires ? { firing: true, since: at } : { firing: false };
      await this.store.putDocuments([
        { kind: DOC.alertState, key, body: state as unknown as JsonValue, time: Date.now() },
        { kind: DOC.alert, key: `${m.model}/${timeKey(Date.now())}-${m.version}-${i}`, body: event as unknown as JsonValue, time: Date.now() },
      ]);
      await Promise.all(this.notifiers.map((n) => n.notify(event).catch((err: unknown) => this.logger.warn({ err, notifier: n.name }, 'alert notifier failed'))));
    }
    this.latest.set(m.key, { window: newest, firing });
  }

  /** The monitor of a model's version (the newest monitored one when `version` is omitted). */
  monitorOf(model: string, version?: string): VersionMonitor | undefined {
    this.discover();
    if (version !== undefined) return this.monitors.get(`${model}/${version}`);
    let best: VersionMonitor | undefined;
    for (const m of this.monitors.values()) {
      if (m.model === model && (best === undefined || Number(m.version) > Number(best.version) || (Number.isNaN(Number(m.version)) && m.version > best.version))) best = m;
    }
    return best;
  }

  /** Why a model's version is not monitored, when it is not. */
  problemOf(model: string, version?: string): string | undefined {
    for (const [key, reason] of this.problems) if (key.startsWith(`${model}/`) && (version === undefined || key === `${model}/${version}`)) return reason;
    return undefined;
  }

  /** The alert history of a model, newest last. */
  async alerts(model: string, limit: number): Promise<AlertEvent[]> {
    const docs = await this.store.listDocuments({ kind: DOC.alert, prefix: `${model}/`, limit });
    return docs.map((d) => d.body as unknown as AlertEvent).reverse();
  }

  /** The newest closed window's figures of every monitored version, as gauges. */
  collect(): MetricFamily[] {
    const fam = (name: string, help: string): { name: string; help: string; samples: MetricSample[] } => ({ name, help, samples: [] });
    const rows = fam('monitor_window_rows', 'Rows in the newest closed monitoring window.');
    const drifted = fam('monitor_dataset_drift', 'Whether the newest closed window drifted as a whole (1) or not (0); absent when it had too few rows.');
    const pValue = fam('monitor_drift_p_value', 'Holm-adjusted p-value of the drift test of a feature (feature="__prediction__": the main output), newest window.');
    const effect = fam('monitor_drift_effect_size', 'Effect size of the drift of a feature, newest window (method in the report).');
    const flag = fam('monitor_drift_flag', 'Whether a feature drifted in the newest window (1) or not (0).');
    const quality = fam('monitor_quality_rate', 'Data-quality rates of a feature in the newest window.');
    const perf = fam('monitor_performance', 'Performance from delayed labels in the newest window, with its 95 % interval (bound label).');
    const est = fam('monitor_estimated_performance', 'Performance estimated before labels (CBPE), newest window, with its 95 % interval.');
    const coverage = fam('monitor_label_coverage', 'Share of the newest window\'s rows with a delayed label.');
    const alert = fam('monitor_alert', 'Monitoring alerts that are firing (1).');
    for (const { window: w, firing } of this.latest.values()) {
      const base = { model: w.model, version: w.version };
      rows.samples.push({ labels: base, value: w.rows });
      coverage.samples.push({ labels: base, value: w.label_coverage });
      if (w.status !== 'insufficient_data') drifted.samples.push({ labels: base, value: w.drifted ? 1 : 0 });
      const drifts: Array<[string, unknown]> = Object.entries(w.features).map(([f, v]) => [f, (v as { drift?: unknown }).drift]);
      if (w.prediction_drift !== null) drifts.push(['__prediction__', w.prediction_drift]);
      for (const [feature, d] of drifts) {
        const dr = d as { p_adjusted?: number; effect_size?: number; drifted?: boolean } | undefined;
        if (dr === undefined) continue;
        if (typeof dr.p_adjusted === 'number') pValue.samples.push({ labels: { ...base, feature }, value: dr.p_adjusted });
        if (typeof dr.effect_size === 'number') effect.samples.push({ labels: { ...base, feature }, value: dr.effect_size });
        if (typeof dr.drifted === 'boolean') flag.samples.push({ labels: { ...base, feature }, value: dr.drifted ? 1 : 0 });
      }
      for (const [feature, v] of Object.entries(w.features)) {
        const q = (v as { quality?: Record<string, unknown> }).quality ?? {};
        for (const [stat, value] of Object.entries(q)) if (stat.endsWith('_rate') && typeof value === 'number') quality.samples.push({ labels: { ...base, feature, stat }, value });
      }
      for (const [metric, f] of Object.entries(w.performance ?? {})) {
        perf.samples.push({ labels: { ...base, metric, bound: 'value' }, value: f.value });
        if (f.ci_low !== null) perf.samples.push({ labels: { ...base, metric, bound: 'ci_low' }, value: f.ci_low });
        if (f.ci_high !== null) perf.samples.push({ labels: { ...base, metric, bound: 'ci_high' }, value: f.ci_high });
      }
      const e = w.estimated_performance as Record<string, unknown> | null;
      for (const [metric, f] of Object.entries(e ?? {})) {
        const fig = f as { value?: unknown; ci_low?: unknown; ci_high?: unknown };
        if (typeof fig !== 'object' || fig === null || typeof fig.value !== 'number') continue;
        est.samples.push({ labels: { ...base, metric, bound: 'value' }, value: fig.value });
        if (typeof fig.ci_low === 'number') est.samples.push({ labels: { ...base, metric, bound: 'ci_low' }, value: fig.ci_low });
        if (typeof fig.ci_high === 'number') est.samples.push({ labels: { ...base, metric, bound: 'ci_high' }, value: fig.ci_high });
      }
      for (const f of firing) alert.samples.push({ labels: { ...base, alert: f.name, severity: f.rule.severity, kind: f.rule.when }, value: 1 });
    }
    return [rows, drifted, pValue, effect, flag, quality, perf, est, coverage, alert];
  }
}
