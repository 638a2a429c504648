/** What an alert rule watches. */
export type AlertKind = 'drift' | 'quality' | 'performance' | 'estimated_performance';
export type AlertSeverity = 'info' | 'warning' | 'critical';

/**
 * One alert rule of a model (`models[].monitoring.alerts[]`): fires when its
 * condition holds in each of the last `windows` closed windows, resolves when
 * the newest closed window no longer meets it.
 */
export interface AlertRule {
  readonly when: AlertKind;
  /** drift / quality: only this feature (`__prediction__` for the model's output); any feature when omitted. */
  readonly feature?: string;
  /** quality: a rate (`missing_rate`, `out_of_range_rate`, `nan_rate`, `unseen_rate`, `type_violation_rate`); performance: a metric (`accuracy`, `f1`, `roc_auc`, `rmse` …). */
  readonly metric?: string;
  /** quality: fire above it (default 0.01); performance: fire when the metric is worse than it (default: when its interval excludes the reference value from the profile). */
  readonly threshold?: number;
  readonly windows: number;
  readonly severity: AlertSeverity;
  /** Shown in notifications and as the `alert` label; derived from the rule when omitted. */
  readonly name?: string;
}

/** `models[].monitoring` after defaults. */
export interface ModelMonitoringConfig {
  readonly enabled: boolean;
  /** Reference profile file; relative paths are resolved against the version folder. Default `profile.json` there. */
  readonly profile: string;
  /** A window closes after `rows` rows or `seconds` seconds, whichever comes first. */
  readonly window: { readonly rows?: number; readonly seconds?: number };
  /** Fewer rows than this and the drift verdict is `insufficient_data`; default: the engine's (1,000, or 500 for ≤ 10 features). */
  readonly minRows?: number;
  /** Labelled rows a window needs before performance alerts may fire. */
  readonly minLabels: number;
  readonly alerts: readonly AlertRule[];
}

const alertRuleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['when'],
  properties: {
    when: { enum: ['drift', 'quality', 'performance', 'estimated_performance'] },
    feature: { type: 'string', minLength: 1 },
    metric: { type: 'string', minLength: 1 },
    threshold: { type: 'number' },
    windows: { type: 'integer', minimum: 1, maximum: 100 },
    severity: { enum: ['info', 'warning', 'critical'] },
    name: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
  },
} as const;

/** JSON Schema of `models[].monitoring`: core leaves the section to this plugin. */
export const modelMonitoringSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    profile: { type: 'string', minLength: 1 },
    window: {
      type: 'object',
      additionalProperties: false,
      properties: { rows: { type: 'integer', minimum: 10, maximum: 10_000_000 }, seconds: { type: 'number', minimum: 1, maximum: 30 * 86_400 } },
    },
    minRows: { type: 'integer', minimum: 10 },
    minLabels: { type: 'integer', minimum: 1 },
    alerts: { type: 'array', items: alertRuleSchema },
  },
} as const;

/** A model's monitoring section with defaults: windows of 1,000 rows, no alerts but the defaults of a drift rule. */
export function monitoringConfig(raw: Record<string, unknown> | undefined): ModelMonitoringConfig {
  const r = (raw ?? {}) as Partial<{ enabled: boolean; profile: string; window: { rows?: number; seconds?: number }; minRows: number; minLabels: number; alerts: Array<Partial<AlertRule> & { when: AlertKind }> }>;
  const window = r.window === undefined || (r.window.rows === undefined && r.window.seconds === undefined) ? { rows: 1000 } : r.window;
  return {
    enabled: r.enabled ?? true,
    profile: r.profile ?? 'profile.json',
    window,
    ...(r.minRows !== undefined ? { minRows: r.minRows } : {}),
    minLabels: r.minLabels ?? 200,
    alerts: (r.alerts ?? [{ when: 'drift' }]).map((a) => ({ ...a, windows: a.windows ?? 2, severity: a.severity ?? 'warning' })),
  };
}

/** The name of a rule as notifications and the `alert` label show it. */
export function ruleName(rule: AlertRule): string {
  return rule.name ?? [rule.when, rule.feature, rule.metric].filter((p) => p !== undefined).join(':');
}
