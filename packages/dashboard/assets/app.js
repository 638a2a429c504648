// Ponte monitoring dashboard: a plain browser ES module, served as a file (no build step, no inline
// script: the page's Content-Security-Policy forbids it). It reads two gated routes — the models list
// (`GET /v1/models`, the `read` action) and a model's monitoring report (`GET
// /v2/models/{name}/monitoring`, the `monitor` action) — with the bearer token the user pasted, and
// draws the report with uPlot. Every field of the report is read defensively: a missing one means no
// chart or an empty cell, never an exception.
import uPlot from './uplot.js';

const TOKEN_KEY = 'ponte.dashboard.token';
const PREDICTION = '__prediction__';
/** p-values of 0 cannot be drawn on a log scale: they are drawn at this floor. */
const P_FLOOR = 1e-12;
/** The monitor's default significance level, when a window does not say. */
const DEFAULT_ALPHA = 0.01;
const LIMITS = [10, 20, 50, 100, 200, 500, 1000];
const CHART_HEIGHT = 260;
const PALETTE = ['#0969da', '#d1242f', '#1a7f37', '#8250df', '#bc4c00', '#0598bc', '#bf3989', '#6e7781', '#9a6700', '#116329', '#a0111f', '#4c2889'];
const QUALITY_DASH = { missing_rate: undefined, out_of_range_rate: [6, 4], nan_rate: [2, 3], inf_rate: [2, 3], unseen_rate: [10, 3, 2, 3], type_violation_rate: [1, 5] };

const $ = (id) => document.getElementById(id);
const settings = {
  refreshSeconds: Number(document.body.dataset.refreshSeconds) || 0,
  windows: Number(document.body.dataset.windows) || 50,
};
const state = {
  models: [],
  /** uPlot instances with the element they live in. */
  charts: [],
  /** Series the user hid by clicking the legend, by chart: kept across refreshes. */
  hidden: new Map(),
  metric: undefined,
  timer: undefined,
  loading: false,
};

// ---------------------------------------------------------------- small helpers

const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const obj = (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : null);
const seconds = (iso) => {
  const ms = typeof iso === 'string' || typeof iso === 'number' ? new Date(iso).getTime() : NaN;
  return Number.isFinite(ms) ? ms / 1000 : null;
};

function fmt(v, digits = 3) {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '—';
  if (typeof v !== 'number') return String(v);
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(1);
  return Number(v.toPrecision(digits)).toString();
}
const pct = (v) => (num(v) === null ? '—' : `${(v * 100).toFixed(v > 0 && v < 0.01 ? 2 : 1)} %`);
const timeText = (s) => (s === null ? '—' : new Date(s * 1000).toLocaleString());

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('data-')) e.setAttribute(k, String(v));
    else e[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function badge(text, kind) {
  return el('span', { class: `badge ${kind}`, text });
}

function setStatus(text, isError = false) {
  const s = $('status');
  s.textContent = text;
  s.classList.toggle('error', isError);
}

function readToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) ?? ''; } catch { return ''; }
}
function writeToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch { /* storage unavailable: the token lives until the page closes */ }
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** GETs JSON from this server with the user's token; a non-2xx answer throws its `error` text. */
async function api(path) {
  const headers = { accept: 'application/json' };
  const token = readToken();
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(path, { headers, cache: 'no-store', credentials: 'same-origin' });
  let body = null;
  try { body = await res.json(); } catch { body = null; }
  if (!res.ok) throw new ApiError(res.status, typeof body?.error === 'string' ? body.error : `HTTP ${res.status}`);
  return body;
}

function explain(err) {
  if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
    $('auth').open = true;
    return err.status === 401
      ? `This server wants credentials: paste a bearer token under “Credentials”. (${err.message})`
      : `The token is not allowed to do this: ${err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

// ---------------------------------------------------------------- the URL hash keeps the choice

function readHash() {
  const q = new URLSearchParams(location.hash.slice(1));
  return { model: q.get('model') ?? '', version: q.get('version') ?? '', limit: Number(q.get('limit')) || settings.windows };
}
function writeHash() {
  const q = new URLSearchParams();
  if ($('model').value) q.set('model', $('model').value);
  if ($('version').value) q.set('version', $('version').value);
  q.set('limit', $('limit').value);
  history.replaceState(null, '', `#${q}`);
}

// ---------------------------------------------------------------- models list

async function loadModels() {
  const body = await api('/v1/models');
  state.models = (Array.isArray(body?.models) ? body.models : []).filter((m) => typeof m?.name === 'string');
  const select = $('model');
  const wanted = readHash().model || select.value;
  select.replaceChildren(...state.models.map((m) => el('option', { value: m.name, text: m.ready === false ? `${m.name} (not ready)` : m.name })));
  if (state.models.some((m) => m.name === wanted)) select.value = wanted;
  fillVersions($('version').value || readHash().version);
}

/** The picked model's versions in the version picker, `wanted` chosen when it is one of them. */
function fillVersions(wanted) {
  const select = $('version');
  const model = state.models.find((m) => m.name === $('model').value);
  const versions = (Array.isArray(model?.versions) ? model.versions : []).filter((v) => typeof v?.version === 'string');
  select.replaceChildren(
    el('option', { value: '', text: 'newest monitored' }),
    ...versions.map((v) => el('option', { value: v.version, text: v.state && v.state !== 'ready' ? `${v.version} (${v.state})` : v.version })),
  );
  if (versions.some((v) => v.version === wanted)) select.value = wanted;
}

// ---------------------------------------------------------------- the report

async function loadReport() {
  const model = $('model').value;
  if (!model) {
    clearReport();
    setStatus(state.models.length === 0 ? 'This server lists no models.' : 'Pick a model.');
    document.body.dataset.state = 'ready';
    return;
  }
  const q = new URLSearchParams({ limit: $('limit').value });
  if ($('version').value) q.set('version', $('version').value);
  const report = await api(`/v2/models/${encodeURIComponent(model)}/monitoring?${q}`);
  render(obj(report) ?? {});
}

async function refresh({ models = false } = {}) {
  if (state.loading) return;
  state.loading = true;
  document.body.dataset.state = 'loading';
  try {
    if (models || state.models.length === 0) await loadModels();
    writeHash();
    await loadReport();
  } catch (err) {
    clearReport();
    const notMonitored = err instanceof ApiError && err.status === 404;
    setStatus(notMonitored ? `Not monitored: ${err.message}` : `Could not load: ${explain(err)}`, !notMonitored);
    document.body.dataset.state = 'error';
  } finally {
    state.loading = false;
  }
}

function clearReport() {
  for (const { u } of state.charts) u.destroy();
  state.charts = [];
  $('summary').replaceChildren();
  for (const id of ['chart-p-value', 'chart-effect-size', 'chart-importance', 'chart-quality', 'chart-performance']) plotOf(id).replaceChildren();
  for (const id of ['alerts', 'features', 'root-causes']) $(id).querySelector('.table').replaceChildren();
}

const plotOf = (sectionId) => $(sectionId).querySelector('.plot');

/** The report's windows that have an end time, oldest first, with their x (seconds). */
function windowsOf(report) {
  const list = (Array.isArray(report.windows) ? report.windows : []).map(obj).filter((w) => w !== null);
  return list.map((w) => ({ w, x: seconds(w.end), from: seconds(w.start) })).filter((p) => p.x !== null).sort((a, b) => a.x - b.x);
}

function render(report) {
  clearReport();
  const windows = windowsOf(report);
  const xs = windows.map((p) => p.x);
  const history = (Array.isArray(report.alert_history) ? report.alert_history : []).map(obj).filter((e) => e !== null);
  const marks = {
    gaps: windows.filter((p) => p.w.status === 'insufficient_data').map((p) => ({ from: p.from ?? p.x, to: p.x })),
    alerts: history
      .filter((e) => report.version === undefined || e.version === undefined || e.version === report.version)
      .map((e) => ({ x: seconds(obj(e.window)?.end) ?? seconds(e.status === 'resolved' ? e.endsAt : e.startsAt), firing: e.status !== 'resolved', label: String(e.alert ?? '') }))
      .filter((m) => m.x !== null),
  };

  renderSummary(report, windows);
  if (windows.length === 0) {
    for (const id of ['chart-p-value', 'chart-effect-size', 'chart-importance', 'chart-quality', 'chart-performance']) plotOf(id).replaceChildren(el('p', { class: 'empty', text: 'No closed window yet: a window closes after its rows or its seconds (see the model\'s monitoring.window).' }));
  } else {
    const features = featureNamesOf(windows);
    const colour = new Map(features.map((f, i) => [f, PALETTE[i % PALETTE.length]]));
    colour.set(PREDICTION, '#1f2328');
    driftCharts(windows, xs, features, colour, marks);
    importanceChart(windows, xs, colour, marks);
    qualityChart(windows, xs, features, colour, marks);
    performanceChart(windows, xs, marks);
  }
  renderAlerts(report, history);
  renderFeatures(windows[windows.length - 1]?.w);
  renderRootCauses(windows);

  const newest = windows[windows.length - 1]?.w;
  setStatus(newest === undefined
    ? `Updated ${new Date().toLocaleTimeString()}: no closed window yet.`
    : `Updated ${new Date().toLocaleTimeString()}: ${windows.length} window${windows.length === 1 ? '' : 's'}, newest #${newest.seq ?? '?'} (${newest.status ?? 'unknown'}) ending ${timeText(seconds(newest.end))}.`);
  document.body.dataset.state = 'ready';
}

function featureNamesOf(windows) {
  const names = [];
  for (const { w } of windows) for (const f of Object.keys(obj(w.features) ?? {})) if (!names.includes(f)) names.push(f);
  return names;
}

const driftOf = (w, f) => obj(f === PREDICTION ? w.prediction_drift : obj(obj(w.features)?.[f])?.drift);
const qualityOf = (w, f) => obj(obj(obj(w.features)?.[f])?.quality);

// ---------------------------------------------------------------- summary

function renderSummary(report, windows) {
  const newest = windows[windows.length - 1]?.w;
  const card = (k, v, kind = '') => el('div', { class: `card ${kind}` }, el('div', { class: 'k', text: k }), el('div', { class: 'v', text: v }));
  const cfg = obj(report.window) ?? {};
  const windowText = [num(cfg.rows) !== null ? `${cfg.rows} rows` : null, num(cfg.seconds) !== null ? `${cfg.seconds} s` : null].filter(Boolean).join(' or ') || '—';
  const firing = (Array.isArray(report.alerts) ? report.alerts : []).filter((a) => obj(a) !== null);
  const driftedNow = newest === undefined ? [] : Object.keys(obj(newest.features) ?? {}).filter((f) => driftOf(newest, f)?.drifted === true);
  const statusKind = newest?.status === 'drift' ? 'bad' : newest?.status === 'ok' ? 'good' : 'warn';
  $('summary').replaceChildren(
    card('Model', `${report.model ?? $('model').value}${report.version !== undefined ? ` · version ${report.version}` : ''}`),
    card('Window closes after', windowText),
    card('Newest window', newest === undefined ? 'none yet' : `#${newest.seq ?? '?'} ${newest.status ?? ''}`, newest === undefined ? '' : statusKind),
    card('Windows drifted', `${windows.filter((p) => p.w.drifted === true).length} of ${windows.length}`),
    card('Drifted features (newest)', driftedNow.length === 0 ? 'none' : driftedNow.join(', '), driftedNow.length > 0 ? 'bad' : 'good'),
    card('Label coverage (newest)', newest === undefined ? '—' : pct(newest.label_coverage)),
    card('Alerts firing', firing.length === 0 ? 'none' : firing.map((a) => a.alert).join(', '), firing.length > 0 ? 'bad' : 'good'),
  );
}

// ---------------------------------------------------------------- charts

/** Draws what uPlot cannot: shaded windows without enough rows, threshold lines, alert lines. */
function overlay(marks, thresholds) {
  const dpr = uPlot.pxRatio;
  return {
    hooks: {
      drawClear: [(u) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        ctx.save();
        ctx.fillStyle = 'rgba(140, 149, 159, 0.18)';
        for (const g of marks.gaps) {
          let x0 = u.valToPos(g.from, 'x', true);
          let x1 = u.valToPos(g.to, 'x', true);
          if (x1 - x0 < 8 * dpr) { const c = (x0 + x1) / 2; x0 = c - 4 * dpr; x1 = c + 4 * dpr; }
          ctx.fillRect(x0, top, x1 - x0, height);
        }
        ctx.restore();
      }],
      draw: [(u) => {
        const { ctx } = u;
        const { left, top, width, height } = u.bbox;
        ctx.save();
        ctx.beginPath();
        ctx.rect(left, top, width, height);
        ctx.clip();
        ctx.lineWidth = dpr;
        ctx.font = `${11 * dpr}px system-ui, sans-serif`;
        // uPlot leaves the alignment of its last axis label behind.
        ctx.textAlign = 'left';
        ctx.textBaseline = 'bottom';
        for (const t of thresholds) {
          const y = u.valToPos(t.value, 'y', true);
          if (!Number.isFinite(y)) continue;
          ctx.strokeStyle = '#57606a';
          ctx.setLineDash([6 * dpr, 4 * dpr]);
          ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + width, y); ctx.stroke();
          ctx.fillStyle = '#57606a';
          ctx.fillText(t.label, left + 4 * dpr, y - 3 * dpr);
        }
        for (const a of marks.alerts) {
          const x = u.valToPos(a.x, 'x', true);
          if (!Number.isFinite(x)) continue;
          ctx.strokeStyle = a.firing ? '#cf222e' : '#1a7f37';
          ctx.lineWidth = 2 * dpr;
          ctx.setLineDash(a.firing ? [] : [4 * dpr, 3 * dpr]);
          ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
        }
        ctx.restore();
      }],
    },
  };
}

/**
 * A time chart in a section's `.plot`, or a note when no series has a value.
 * `series`: `{ label, values, colour, dash?, width?, points? }`.
 */
function timeChart(sectionId, { xs, series, y, yFormat, ySplits, bands = [], marks, thresholds = [], empty }) {
  const target = plotOf(sectionId);
  const drawn = series.filter((s) => s.values.some((v) => v !== null));
  if (drawn.length === 0) {
    target.replaceChildren(el('p', { class: 'empty', text: empty }));
    return;
  }
  const hidden = state.hidden.get(sectionId) ?? new Set();
  state.hidden.set(sectionId, hidden);
  const yAxis = { size: 64 };
  // Log scales leave some ticks out as null.
  if (ySplits !== undefined) yAxis.splits = ySplits;
  if (yFormat !== undefined) yAxis.values = (u, ticks) => ticks.map((v) => (num(v) === null ? '' : yFormat(v)));
  const opts = {
    width: widthOf(target),
    height: CHART_HEIGHT,
    scales: { x: { time: true }, y },
    axes: [{}, yAxis],
    series: [
      { label: 'window end', value: (u, v) => (v === null ? '—' : timeText(v)) },
      ...series.map((s) => ({
        label: s.label,
        stroke: s.colour,
        width: s.width ?? 1.5,
        ...(s.dash !== undefined ? { dash: s.dash } : {}),
        spanGaps: false,
        show: !hidden.has(s.label),
        points: { show: s.points ?? true, size: 5 },
        value: (u, v) => fmt(v),
      })),
    ],
    bands,
    cursor: { drag: { x: true, y: false } },
    plugins: [overlay(marks, thresholds)],
    hooks: {
      setSeries: [(u, i) => {
        if (i === null || i === undefined) return;
        const s = u.series[i];
        if (s.show) hidden.delete(s.label); else hidden.add(s.label);
      }],
    },
  };
  const u = new uPlot(opts, [xs, ...series.map((s) => s.values)], target);
  target.dataset.series = String(drawn.length);
  target.dataset.points = String(drawn.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0));
  state.charts.push({ u, target });
}

/** Ticks of a log axis at powers of ten only, at most about six of them: uPlot's own minor ticks turn a 12-decade axis grey. */
function decades(u, axis, min, max) {
  const lo = Math.ceil(Math.log10(min) - 1e-9);
  const hi = Math.floor(Math.log10(max) + 1e-9);
  const step = Math.max(1, Math.ceil((hi - lo) / 6));
  const ticks = [];
  for (let e = hi; e >= lo; e -= step) ticks.unshift(10 ** e);
  return ticks;
}

function widthOf(target) {
  return Math.max(320, Math.floor(target.clientWidth || target.parentElement?.clientWidth || 800));
}

function driftCharts(windows, xs, features, colour, marks) {
  const judged = (w) => w.status !== 'insufficient_data';
  const names = [...features, ...(windows.some((p) => driftOf(p.w, PREDICTION) !== null) ? [PREDICTION] : [])];
  const label = (f) => (f === PREDICTION ? 'prediction (model output)' : f);
  const style = (f) => ({ colour: colour.get(f), ...(f === PREDICTION ? { dash: [6, 3], width: 2 } : {}) });

  const pSeries = names.map((f) => ({
    label: label(f),
    ...style(f),
    values: windows.map(({ w }) => {
      const d = driftOf(w, f);
      const p = judged(w) && d !== null ? num(d.p_adjusted) ?? num(d.p_value) : null;
      return p === null ? null : Math.max(p, P_FLOOR);
    }),
  }));
  const alphas = [...new Set(windows.map(({ w }) => num(w.alpha)).filter((a) => a !== null))];
  const alpha = alphas.length === 1 ? alphas[0] : DEFAULT_ALPHA;
  timeChart('chart-p-value', {
    xs,
    series: pSeries,
    y: {
      distr: 3,
      log: 10,
      range: (u, min) => uPlot.rangeLog(Math.min(num(min) !== null && min > 0 ? min : 1e-3, alpha / 10), 1, 10, true),
    },
    yFormat: (v) => (v >= 0.01 ? String(v) : v.toExponential(0)),
    ySplits: decades,
    marks,
    thresholds: [{ value: alpha, label: `alpha ${alpha}` }],
    empty: 'No drift test yet: every window shown had too few rows to judge.',
  });

  const eSeries = names.map((f) => ({
    label: label(f),
    ...style(f),
    values: windows.map(({ w }) => {
      const d = driftOf(w, f);
      return judged(w) && d !== null ? num(d.effect_size) : null;
    }),
  }));
  const floors = new Map();
  for (const { w } of windows) {
    for (const f of names) {
      const d = driftOf(w, f);
      if (d !== null && num(d.effect_size_floor) !== null) floors.set(`${d.effect_size_method ?? 'effect'} ${d.effect_size_floor}`, { value: d.effect_size_floor, label: `${d.effect_size_method ?? 'effect size'} floor ${d.effect_size_floor}` });
    }
  }
  const thresholds = [...floors.values()].slice(0, 3);
  const top = Math.max(0, ...thresholds.map((t) => t.value));
  timeChart('chart-effect-size', {
    xs,
    series: eSeries,
    y: { range: (u, min, max) => [0, Math.max(num(max) ?? 0, top * 1.5, 0.05) * 1.05] },
    marks,
    thresholds,
    empty: 'No effect size yet: every window shown had too few rows to judge.',
  });
}

// ---------------------------------------------------------------- importance (from @ponte/explain's sampled explanations)

/** A window's `importance` block with a usable `share`, or null: absent without the explain plugin, or when nothing was sampled. */
function importanceOf(w) {
  const imp = obj(w.importance);
  return imp !== null && obj(imp.share) !== null ? imp : null;
}

/** Feature names of the importance blocks, in the order of the drift charts' features, then any others. */
function importanceNamesOf(windows) {
  const names = [];
  for (const { w } of windows) for (const f of Object.keys(importanceOf(w)?.share ?? {})) if (!names.includes(f)) names.push(f);
  return names;
}

function importanceChart(windows, xs, colour, marks) {
  const names = importanceNamesOf(windows);
  let extra = colour.size;
  for (const f of names) if (!colour.has(f)) colour.set(f, PALETTE[extra++ % PALETTE.length]);
  const series = names.map((f) => ({
    label: f,
    colour: colour.get(f),
    values: windows.map(({ w }) => num(importanceOf(w)?.share?.[f])),
  }));
  timeChart('chart-importance', {
    xs,
    series,
    y: { range: (u, min, max) => [0, Math.min(1, Math.max(num(max) ?? 0, 0.05) * 1.1)] },
    yFormat: (v) => `${+(v * 100).toFixed(1)} %`,
    marks,
    empty: 'No importance in these windows: load @ponte/explain (with a prediction store) and it explains a sampled share of live predictions (models[].explain.sampleRate) for the monitor to add to each window.',
  });
}

/** The drift-impact ranking of the newest window that has one: the likely root causes of a drop. */
function renderRootCauses(windows) {
  const target = $('root-causes').querySelector('.table');
  const latest = [...windows].reverse().find((p) => importanceOf(p.w) !== null);
  if (latest === undefined) {
    target.replaceChildren(el('p', { class: 'empty', text: windows.length === 0 ? 'No closed window yet.' : 'No importance yet: it needs @ponte/explain explaining sampled live predictions.' }));
    return;
  }
  const imp = importanceOf(latest.w);
  const ranking = (Array.isArray(imp.drift_impact) ? imp.drift_impact : []).map(obj).filter((d) => d !== null && typeof d.feature === 'string');
  ranking.sort((a, b) => (num(b.score) ?? -1) - (num(a.score) ?? -1));
  const top = Math.max(0, ...ranking.map((d) => num(d.score) ?? 0));
  const change = obj(imp.share_change) ?? {};
  const rows = ranking.map((d, i) => {
    const drifted = driftOf(latest.w, d.feature)?.drifted;
    return el('tr', { class: i < 3 && (num(d.score) ?? 0) > 0 && (num(d.score) ?? 0) >= top / 10 ? 'top' : '', 'data-feature': d.feature, 'data-score': String(num(d.score) ?? '') },
      el('td', { text: `${i + 1}. ${d.feature}` }),
      el('td', {}, el('meter', { min: 0, max: top > 0 ? top : 1, value: num(d.score) ?? 0, title: fmt(d.score) })),
      el('td', { text: fmt(d.score) }),
      el('td', { text: pct(num(d.share) ?? num(imp.share[d.feature])) }),
      el('td', { text: fmt(d.effect_size) }),
      el('td', { text: num(change[d.feature]) === null ? '—' : `${change[d.feature] > 0 ? '+' : ''}${(change[d.feature] * 100).toFixed(1)} pt` }),
      el('td', {}, drifted === true ? badge('drifted', 'bad') : drifted === false ? badge('no', 'good') : badge('—', 'muted')),
    );
  });
  const newest = windows[windows.length - 1]?.w;
  target.replaceChildren(
    el('p', { class: 'help', text: `Window #${latest.w.seq ?? '?'}${latest.w !== newest ? ' (the newest window with importance)' : ''}: ${num(imp.n) ?? '?'} explained rows.` }),
    ranking.length === 0
      ? el('p', { class: 'empty', text: 'This window has importance but no drift-impact ranking.' })
      : tableOf(['feature', 'drift impact', 'score', 'importance', 'effect size', 'share vs reference', 'drift'], rows),
  );
}

function qualityChart(windows, xs, features, colour, marks) {
  // Rates as the report gives them, and rates of the counts it gives without one.
  const ratesOf = (q) => {
    const out = {};
    for (const [k, v] of Object.entries(q)) if (k.endsWith('_rate') && k !== 'reference_missing_rate' && num(v) !== null) out[k] = v;
    const rows = num(q.rows);
    if (rows !== null && rows > 0) {
      for (const [count, rate] of [['nan', 'nan_rate'], ['inf', 'inf_rate'], ['type_violations', 'type_violation_rate']]) {
        if (out[rate] === undefined && num(q[count]) !== null) out[rate] = q[count] / rows;
      }
    }
    return out;
  };
  const table = windows.map(({ w }) => Object.fromEntries(features.map((f) => [f, ratesOf(qualityOf(w, f) ?? {})])));
  const series = [];
  const kinds = new Set();
  for (const f of features) {
    const rates = [...new Set(table.flatMap((row) => Object.keys(row[f] ?? {})))];
    for (const r of rates) {
      kinds.add(r);
      const values = table.map((row) => num(row[f]?.[r]));
      if (values.some((v) => v !== null && v > 0)) series.push({ label: `${f} ${r.replace(/_rate$/, '').replace(/_/g, ' ')}`, colour: colour.get(f), dash: QUALITY_DASH[r], values });
    }
  }
  if (series.length === 0 && kinds.size > 0) {
    // Nothing wrong anywhere: one flat line per rate, over all features, says so.
    [...kinds].forEach((r, i) => series.push({
      label: `${r.replace(/_rate$/, '').replace(/_/g, ' ')} (all features)`,
      colour: PALETTE[i % PALETTE.length],
      dash: QUALITY_DASH[r],
      values: table.map((row) => {
        const vs = features.map((f) => num(row[f]?.[r])).filter((v) => v !== null);
        return vs.length === 0 ? null : Math.max(...vs);
      }),
    }));
  }
  timeChart('chart-quality', {
    xs,
    series,
    y: { range: (u, min, max) => [0, Math.max(num(max) ?? 0, 0.05) * 1.05] },
    yFormat: (v) => `${+(v * 100).toFixed(2)} %`,
    marks,
    empty: 'No data-quality figures in these windows.',
  });
}

/** `{ metric: {value, ci_low, ci_high, n} }` from a performance object, skipping what is not a figure. */
function figuresOf(perf) {
  const out = {};
  const p = obj(perf);
  if (p === null || p.available === false) return out;
  for (const [k, v] of Object.entries(p)) if (num(obj(v)?.value) !== null) out[k] = v;
  return out;
}

function performanceChart(windows, xs, marks) {
  const measured = windows.map(({ w }) => figuresOf(w.performance));
  const estimated = windows.map(({ w }) => figuresOf(w.estimated_performance));
  const metrics = [];
  for (const f of [...measured, ...estimated]) for (const k of Object.keys(f)) if (!metrics.includes(k)) metrics.push(k);
  const select = $('metric');
  if (!metrics.includes(state.metric)) state.metric = ['accuracy', 'roc_auc', 'rmse', 'mae'].find((m) => metrics.includes(m)) ?? metrics[0];
  select.replaceChildren(...metrics.map((m) => el('option', { value: m, text: m })));
  select.hidden = metrics.length === 0;
  if (state.metric !== undefined) select.value = state.metric;

  const m = state.metric;
  const pick = (list, field) => list.map((f) => (m === undefined ? null : num(obj(f[m])?.[field])));
  const why = windows.map(({ w }) => obj(w.estimated_performance)).find((e) => e?.available === false && typeof e.reason === 'string')?.reason;
  const series = [
    { label: `${m} (labels)`, colour: '#0969da', width: 2, values: pick(measured, 'value') },
    { label: '95 % high', colour: 'rgba(9, 105, 218, 0.35)', width: 1, points: false, values: pick(measured, 'ci_high') },
    { label: '95 % low', colour: 'rgba(9, 105, 218, 0.35)', width: 1, points: false, values: pick(measured, 'ci_low') },
    { label: `${m} (estimated)`, colour: '#8250df', width: 2, dash: [6, 4], values: pick(estimated, 'value') },
    { label: 'estimate high', colour: 'rgba(130, 80, 223, 0.3)', width: 1, points: false, values: pick(estimated, 'ci_high') },
    { label: 'estimate low', colour: 'rgba(130, 80, 223, 0.3)', width: 1, points: false, values: pick(estimated, 'ci_low') },
  ];
  timeChart('chart-performance', {
    xs,
    series,
    y: { range: (u, min, max) => (num(min) !== null && num(max) !== null && min >= 0 && max <= 1 ? [0, 1] : uPlot.rangeNum(num(min) ?? 0, num(max) ?? 1, 0.1, true)) },
    bands: [
      { series: [2, 3], fill: 'rgba(9, 105, 218, 0.12)' },
      { series: [5, 6], fill: 'rgba(130, 80, 223, 0.10)' },
    ],
    marks,
    empty: `No performance yet: send labels to POST /v2/models/{name}/feedback with the prediction ids.${why ? ` Estimated performance is unavailable: ${why}.` : ''}`,
  });
}

// ---------------------------------------------------------------- tables

function tableOf(headers, rows) {
  return el('table', {},
    el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', { scope: 'col', text: h })))),
    el('tbody', {}, ...rows));
}

function renderAlerts(report, history) {
  const target = $('alerts').querySelector('.table');
  const firing = (Array.isArray(report.alerts) ? report.alerts : []).map(obj).filter((a) => a !== null);
  const parts = [];
  if (firing.length > 0) {
    parts.push(el('h3', { text: 'Firing now' }), tableOf(['alert', 'severity', 'kind', 'since', 'detail'], firing.map((a) => el('tr', { 'data-alert': a.alert },
      el('td', { text: String(a.alert ?? '') }),
      el('td', {}, badge(String(a.severity ?? ''), 'bad')),
      el('td', { class: 'text', text: String(a.when ?? '') }),
      el('td', { text: timeText(seconds(a.since)) }),
      el('td', { class: 'text', text: String(a.detail ?? '') }),
    ))));
  }
  if (history.length === 0) {
    parts.push(el('p', { class: 'empty', text: 'No alert has fired for this model.' }));
  } else {
    parts.push(el('h3', { text: 'History (newest first)' }), tableOf(['status', 'alert', 'severity', 'version', 'window', 'window end', 'started', 'ended', 'detail'], [...history].reverse().map((e) => {
      const w = obj(e.window) ?? {};
      return el('tr', {},
        el('td', {}, badge(String(e.status ?? ''), e.status === 'firing' ? 'bad' : 'good')),
        el('td', { text: String(e.alert ?? '') }),
        el('td', { text: String(e.severity ?? '') }),
        el('td', { text: String(e.version ?? '') }),
        el('td', { text: w.seq !== undefined ? `#${w.seq}` : '—' }),
        el('td', { text: timeText(seconds(w.end)) }),
        el('td', { text: timeText(seconds(e.startsAt)) }),
        el('td', { text: timeText(seconds(e.endsAt)) }),
        el('td', { class: 'text', text: String(e.detail ?? '') }),
      );
    })));
  }
  target.replaceChildren(...parts);
}

function renderFeatures(newest) {
  const target = $('features').querySelector('.table');
  if (newest === undefined) {
    target.replaceChildren(el('p', { class: 'empty', text: 'No closed window yet.' }));
    return;
  }
  const names = Object.keys(obj(newest.features) ?? {});
  if (newest.prediction_drift !== null && newest.prediction_drift !== undefined) names.push(PREDICTION);
  const rank = (f) => {
    const d = driftOf(newest, f);
    return [d?.drifted === true ? 0 : 1, num(d?.p_adjusted) ?? num(d?.p_value) ?? 2];
  };
  names.sort((a, b) => {
    const [ra, pa] = rank(a);
    const [rb, pb] = rank(b);
    return ra - rb || pa - pb;
  });
  const rows = names.map((f) => {
    const d = driftOf(newest, f) ?? {};
    const q = f === PREDICTION ? {} : qualityOf(newest, f) ?? {};
    const feature = obj(obj(newest.features)?.[f]) ?? {};
    const verdict = d.drifted === true ? badge('drifted', 'bad') : d.drifted === false ? badge('no', 'good') : badge('not judged', 'muted');
    return el('tr', { class: d.drifted === true ? 'drifted' : '', 'data-feature': f, 'data-drifted': d.drifted === true ? 'true' : 'false' },
      el('td', { text: f === PREDICTION ? 'prediction (model output)' : f }),
      el('td', {}, verdict),
      el('td', { text: String(feature.type ?? '') }),
      el('td', { text: String(d.method ?? '—') }),
      el('td', { text: fmt(d.statistic) }),
      el('td', { text: fmt(d.p_value) }),
      el('td', { text: fmt(d.p_adjusted) }),
      el('td', { text: d.effect_size === undefined ? '—' : `${fmt(d.effect_size)}${d.effect_size_method ? ` (${d.effect_size_method})` : ''}` }),
      el('td', { text: fmt(d.effect_size_floor) }),
      el('td', { text: pct(q.missing_rate) }),
      el('td', { text: pct(q.out_of_range_rate) }),
      el('td', { text: num(q.nan) === null ? '—' : String(q.nan) }),
      el('td', { text: pct(q.unseen_rate) }),
      el('td', { text: fmt(q.mean) }),
    );
  });
  target.replaceChildren(
    el('p', { class: 'help', text: `Window #${newest.seq ?? '?'}: ${newest.rows ?? '?'} rows, ${timeText(seconds(newest.start))} – ${timeText(seconds(newest.end))}, status ${newest.status ?? 'unknown'}. Drifted features first, then by adjusted p-value.` }),
    tableOf(['feature', 'drift', 'type', 'test', 'statistic', 'p-value', 'p adjusted', 'effect size', 'floor', 'missing', 'out of range', 'NaN', 'unseen', 'mean'], rows),
  );
}

// ---------------------------------------------------------------- wiring

function schedule() {
  clearInterval(state.timer);
  state.timer = undefined;
  if (settings.refreshSeconds > 0 && $('auto').checked) {
    state.timer = setInterval(() => { if (!document.hidden) void refresh(); }, settings.refreshSeconds * 1000);
  }
}

function start() {
  const hash = readHash();
  const limits = [...new Set([...LIMITS, hash.limit])].filter((n) => Number.isInteger(n) && n >= 1 && n <= 1000).sort((a, b) => a - b);
  $('limit').replaceChildren(...limits.map((n) => el('option', { value: String(n), text: String(n) })));
  $('limit').value = String(hash.limit);
  $('auto').checked = settings.refreshSeconds > 0;
  $('auto').disabled = settings.refreshSeconds <= 0;
  $('token').value = readToken();

  $('controls').addEventListener('submit', (e) => { e.preventDefault(); void refresh({ models: true }); });
  $('model').addEventListener('change', () => { fillVersions(''); void refresh(); });
  $('version').addEventListener('change', () => void refresh());
  $('limit').addEventListener('change', () => void refresh());
  $('auto').addEventListener('change', schedule);
  $('metric').addEventListener('change', () => { state.metric = $('metric').value; void refresh(); });
  $('token-form').addEventListener('submit', (e) => { e.preventDefault(); writeToken($('token').value.trim()); void refresh({ models: true }); });
  $('forget').addEventListener('click', () => { $('token').value = ''; writeToken(''); void refresh({ models: true }); });
  let resizing;
  window.addEventListener('resize', () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => { for (const { u, target } of state.charts) u.setSize({ width: widthOf(target), height: CHART_HEIGHT }); }, 100);
  });

  schedule();
  void refresh({ models: true });
}

start();
