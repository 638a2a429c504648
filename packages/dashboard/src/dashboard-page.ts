/** What the page needs to know. */
export interface DashboardPageOptions {
  readonly title: string;
  readonly refreshSeconds: number;
  readonly windows: number;
  /** Changes when an asset does, so browsers fetch the new one. */
  readonly assetVersion: string;
}

/**
 * The page's Content-Security-Policy: its own scripts and styles only (no
 * inline script, no inline style), data only from this server, never framed.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * The HTML page: the skeleton `app.js` fills in. Settings travel as `data-`
 * attributes (the policy forbids inline script); the page holds no data.
 */
export function dashboardHtml(o: DashboardPageOptions): string {
  const a = (file: string): string => escapeHtml(`/dashboard/${file}?v=${encodeURIComponent(o.assetVersion)}`);
  const title = escapeHtml(o.title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${a('uplot.css')}">
<link rel="stylesheet" href="${a('app.css')}">
<script type="module" src="${a('app.js')}"></script>
</head>
<body data-refresh-seconds="${o.refreshSeconds}" data-windows="${o.windows}">
<header>
  <h1>${title}</h1>
  <form id="controls" class="controls" autocomplete="off">
    <label>Model <select id="model" name="model"></select></label>
    <label>Version <select id="version" name="version"><option value="">newest monitored</option></select></label>
    <label>Windows <select id="limit" name="limit"></select></label>
    <button type="submit" id="refresh">Refresh</button>
    <label class="inline"><input type="checkbox" id="auto" checked> auto-refresh</label>
  </form>
  <details id="auth">
    <summary>Credentials</summary>
    <form id="token-form" class="controls" autocomplete="off">
      <label>Bearer token <input type="password" id="token" name="token" size="40" autocomplete="off" placeholder="kept in this tab only (sessionStorage)"></label>
      <button type="submit">Use</button>
      <button type="button" id="forget">Forget</button>
    </form>
    <p class="help">The page and its scripts hold no data; the models list and the report are read with this token (<code>Authorization: Bearer …</code>), under the <code>read</code> and <code>monitor</code> actions.</p>
  </details>
</header>
<main>
  <p id="status" class="status" role="status">Loading…</p>
  <section id="summary" class="summary" aria-label="Summary"></section>
  <section class="chart" id="chart-p-value">
    <h2>Drift: p-value per feature</h2>
    <p class="help">Holm-adjusted p-value of each feature's χ² test against the reference profile, log scale. Below the dashed line (α) the distribution changed — a drift when the effect size is also above its floor. A p-value of 0 is drawn at 10⁻¹². Shaded: windows with too few rows to judge.</p>
    <div class="plot"></div>
  </section>
  <div class="beside">
  <section class="chart" id="chart-effect-size">
    <h2>Drift: effect size per feature</h2>
    <p class="help">How much each distribution moved (PSI for numbers, L∞ for categories). Above the dashed floor the change is large enough to matter.</p>
    <div class="plot"></div>
  </section>
  <section id="root-causes" class="table-section">
    <h2>Likely root causes</h2>
    <p class="help">Drift impact in the newest window with importance: the feature's importance share × its drift effect size. A feature that moved and drives the output comes first.</p>
    <div class="table"></div>
  </section>
  </div>
  <section class="chart" id="chart-importance">
    <h2>Feature importance over time</h2>
    <p class="help">Each feature's share of the mean |attribution| of the sampled live predictions explained in the window (<code>@ponte/explain</code>); the shares of a window sum to 1. A rising share means the model leans on that feature more than before.</p>
    <div class="plot"></div>
  </section>
  <section class="chart" id="chart-quality">
    <h2>Data quality</h2>
    <p class="help">Share of each window's rows that were missing, out of the reference range, NaN, of an unseen category or of the wrong type — features with any issue.</p>
    <div class="plot"></div>
  </section>
  <section class="chart" id="chart-performance">
    <h2>Performance <select id="metric" aria-label="Metric"></select></h2>
    <p class="help">Measured from delayed labels (solid, with its 95 % interval) and estimated before labels arrive (dashed, CBPE). Gaps: windows without labels.</p>
    <div class="plot"></div>
  </section>
  <section id="alerts" class="table-section">
    <h2>Alerts</h2>
    <p class="help">Red lines on the charts: an alert fired in that window; green: it resolved.</p>
    <div class="table"></div>
  </section>
  <section id="features" class="table-section">
    <h2>Features of the newest window</h2>
    <div class="table"></div>
  </section>
</main>
<noscript><p>The dashboard needs JavaScript.</p></noscript>
</body>
</html>
`;
}
