import type { AlertRule } from './monitoring-config.js';
import type { IntervalFigure, WindowReport } from './window-report.js';

/** Whether one closed window meets a rule's condition, and the figure that decided it. */
export interface RuleVerdict {
  readonly met: boolean;
  readonly value?: number;
  readonly detail: string;
}

interface DriftFigure { readonly drifted?: boolean; readonly p_adjusted?: number; readonly effect_size?: number }
interface FeatureFigures { readonly drift?: DriftFigure; readonly quality?: Readonly<Record<string, unknown>> }

/** Metrics where a lower value is worse (the rest, errors and losses, are worse when higher). */
const HIGHER_IS_BETTER = new Set(['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'r2']);

function features(w: WindowReport): Record<string, FeatureFigures> {
  return w.features as Record<string, FeatureFigures>;
}

function performanceVerdict(rule: AlertRule, figures: Readonly<Record<string, IntervalFigure>> | null | undefined, reference: Readonly<Record<string, number>> | undefined, minLabels: number): RuleVerdict {
  const metric = rule.metric ?? (figures !== null && figures !== undefined && 'accuracy' in figures ? 'accuracy' : 'rmse');
  const f = figures?.[metric];
  if (f === undefined) return { met: false, detail: `${metric}: not measured in this window` };
  if (f.n < minLabels) return { met: false, value: f.value, detail: `${metric}: ${f.n} labelled rows, fewer than ${minLabels}` };
  const higherBetter = HIGHER_IS_BETTER.has(metric);
  if (rule.threshold !== undefined) {
    const met = higherBetter ? f.value < rule.threshold : f.value > rule.threshold;
    return { met, value: f.value, detail: `${metric} ${f.value.toFixed(4)} ${met ? (higherBetter ? '<' : '>') : (higherBetter ? '>=' : '<=')} ${rule.threshold}` };
  }
  const ref = reference?.[metric];
  if (ref === undefined) return { met: false, value: f.value, detail: `${metric}: no threshold and no reference value in the profile` };
  // Without a threshold: the interval must exclude the reference, on the bad side.
  if (f.ci_low === null || f.ci_high === null) return { met: false, value: f.value, detail: `${metric}: no interval to compare with the reference` };
  const met = higherBetter ? f.ci_high < ref : f.ci_low > ref;
  return { met, value: f.value, detail: `${metric} ${f.value.toFixed(4)} [${f.ci_low.toFixed(4)}, ${f.ci_high.toFixed(4)}] vs reference ${ref.toFixed(4)}` };
}

/**
 * Whether a window meets a rule. `insufficient_data` windows never meet a
 * drift rule: too few rows is not evidence of drift (nor of its absence).
 */
export function ruleVerdict(rule: AlertRule, w: WindowReport, reference: Readonly<Record<string, number>> | undefined, minLabels: number): RuleVerdict {
  switch (rule.when) {
    case 'drift': {
      if (w.status === 'insufficient_data') return { met: false, detail: `insufficient data (${w.rows} rows)` };
      if (rule.feature === undefined) return { met: w.drifted === true, detail: w.drifted ? 'dataset drift' : 'no dataset drift' };
      const d = rule.feature === '__prediction__' ? (w.prediction_drift as DriftFigure | null) : features(w)[rule.feature]?.drift;
      if (d === undefined || d === null) return { met: false, detail: `${rule.feature}: not monitored` };
      return { met: d.drifted === true, ...(d.effect_size !== undefined ? { value: d.effect_size } : {}), detail: `${rule.feature}: ${d.drifted === true ? 'drifted' : 'no drift'} (p_adjusted ${d.p_adjusted ?? '?'})` };
    }
    case 'quality': {
      const metric = rule.metric ?? 'missing_rate';
      const threshold = rule.threshold ?? 0.01;
      let worst: { name: string; value: number } | undefined;
      for (const [name, f] of Object.entries(features(w))) {
        if (rule.feature !== undefined && name !== rule.feature) continue;
        const v = f.quality?.[metric];
        if (typeof v === 'number' && (worst === undefined || v > worst.value)) worst = { name, value: v };
      }
      if (worst === undefined) return { met: false, detail: `${metric}: not measured` };
      return { met: worst.value > threshold, value: worst.value, detail: `${worst.name} ${metric} ${worst.value.toFixed(4)} (threshold ${threshold})` };
    }
    case 'performance':
      return performanceVerdict(rule, w.performance, reference, minLabels);
    case 'estimated_performance': {
      const est = w.estimated_performance as { available?: boolean } & Record<string, unknown> | null;
      if (est === null || est.available === false) return { met: false, detail: 'estimated performance not available' };
      return performanceVerdict(rule, est as unknown as Record<string, IntervalFigure>, reference, 0);
    }
  }
}

/** A rule fires when its condition holds in each of the last `rule.windows` windows (oldest first in `windows`). */
export function ruleFires(rule: AlertRule, windows: readonly WindowReport[], reference: Readonly<Record<string, number>> | undefined, minLabels: number): { fires: boolean; latest: RuleVerdict | undefined } {
  const recent = windows.slice(-rule.windows);
  const verdicts = recent.map((w) => ruleVerdict(rule, w, reference, minLabels));
  const latest = verdicts[verdicts.length - 1];
  return { fires: recent.length === rule.windows && verdicts.every((v) => v.met), latest };
}
