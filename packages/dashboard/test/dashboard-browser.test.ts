import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { gatekeeper, TOKEN } from './support/gatekeeper.js';
import { DATA, readCsv, sendTraffic, startMonitoredServer, waitForReport, WINDOW_ROWS, type MonitoredServer } from './support/monitored-server.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent: install it with \`apt-get install -y chromium\` to run the browser tests`;
/** packages/dashboard/test-output (gitignored): the screenshot lands there. */
const OUTPUT = fileURLToPath(new URL('../../test-output/', import.meta.url));
const CHARTS = ['chart-p-value', 'chart-effect-size', 'chart-quality', 'chart-performance'];

interface Report {
  windows: Array<{ seq: number; status: string; drifted: boolean | null; performance: unknown; features: Record<string, { drift?: { drifted?: boolean | null } }> }>;
  alert_history: Array<{ status: string; alert: string }>;
}

let monitored: MonitoredServer | undefined;
let browser: Browser | undefined;
let report: Report;

before(async () => {
  if (skip !== false) return;
  monitored = await startMonitoredServer();
  // Three windows like the reference, then three of drifted traffic; every row labelled.
  await sendTraffic(monitored.server.url, readCsv(join(DATA, 'holdout.csv')).slice(0, 3 * WINDOW_ROWS));
  await sendTraffic(monitored.server.url, readCsv(join(DATA, 'drifted.csv')).slice(0, 3 * WINDOW_ROWS));
  report = await waitForReport<Report>(monitored.server.url, (r) => r.windows.length >= 6 && r.windows.every((w) => w.performance !== null) && r.alert_history.length > 0);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    timeout: 60_000,
  });
}, { timeout: 240_000 });

after(async () => {
  await browser?.close();
  await monitored?.stop();
});

/** Opens a page that records every problem: page errors, console errors (failed loads among them) and CSP violations. */
async function openPage(): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1300, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  await page.exposeFunction('reportCspViolation', (v: string) => problems.push(`CSP violation: ${v}`));
  // Runs in the page before its scripts (injected by the browser's debugging protocol, so the CSP does not apply to it).
  await page.addInitScript("document.addEventListener('securitypolicyviolation', (e) => window.reportCspViolation(e.violatedDirective + ' ' + e.blockedURI))");
  return { page, problems, requests };
}

async function waitUntilRendered(page: Page): Promise<void> {
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]', { timeout: 60_000 });
}

/** Pixels of a chart's canvas in colour (not white, grey or black): what the series drew, not the axes. */
function colouredPixels(page: Page, section: string): Promise<number> {
  return page.evaluate(`(() => {
    const canvas = document.querySelector('#${section} .plot canvas');
    if (canvas === null) return -1;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && Math.max(data[i], data[i + 1], data[i + 2]) - Math.min(data[i], data[i + 1], data[i + 2]) > 60) n++;
    }
    return n;
  })()`);
}

test('an operator opens /dashboard and sees drift, quality, performance and alerts drawn from the real monitoring report', { skip, timeout: 180_000 }, async () => {
  const { page, problems, requests } = await openPage();
  await page.goto(`${monitored!.server.url}/dashboard`, { timeout: 60_000 });
  await waitUntilRendered(page);
  assert.equal(await page.getAttribute('body', 'data-state'), 'ready', await page.locator('#status').innerText());

  // The picker lists the model, and the report shown is its own.
  assert.deepEqual(await page.locator('#model option').allInnerTexts(), ['purchase']);
  assert.match(await page.locator('#summary').innerText(), /purchase · version 1/);

  // Every chart drew its series: coloured pixels on the canvas, and as many points as the report has values.
  for (const id of CHARTS) {
    const pixels = await colouredPixels(page, id);
    assert.ok(pixels > 200, `${id}: the canvas shows the series (${pixels} coloured pixels)`);
    assert.ok(Number(await page.getAttribute(`#${id} .plot`, 'data-points')) >= report.windows.length, `${id} has a point per window`);
  }
  assert.match(await page.locator('#chart-performance .u-legend').innerText(), /accuracy \(labels\)/);

  // The newest window is drifted traffic: its drifted features lead the table, marked.
  const newest = report.windows[report.windows.length - 1]!;
  const drifted = Object.entries(newest.features).filter(([, f]) => f.drift?.drifted === true).map(([name]) => name);
  assert.ok(drifted.length > 0, 'the drifted data drifts');
  const marked = await page.locator('#features tr[data-drifted="true"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-feature')));
  assert.deepEqual(marked.filter((f) => f !== '__prediction__').sort(), [...drifted].sort());
  assert.equal(await page.locator('#features tbody tr').first().getAttribute('data-drifted'), 'true', 'drifted features come first');

  // The drift alert that fired is listed with its window.
  assert.match(await page.locator('#alerts').innerText(), /firing\s+drift/);

  // Without @ponte/explain the windows carry no importance: the importance chart and the root-cause ranking say so.
  assert.match(await page.locator('#chart-importance').innerText(), /No importance in these windows/);
  assert.match(await page.locator('#root-causes').innerText(), /No importance yet/);

  const file = join(OUTPUT, 'dashboard.png');
  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: file, fullPage: true });
  console.log(`dashboard screenshot: ${file}`);

  for (const url of requests) assert.ok(url.startsWith(monitored!.server.url), `the page requested ${url}, which is not this server`);
  assert.deepEqual(problems, []);
  await page.close();
});

test('the page copes with a report that has gaps, missing fields and no windows at all', { skip, timeout: 120_000 }, async () => {
  const real = await (await fetch(`${monitored!.server.url}/v2/models/purchase/monitoring?limit=50`)).json() as Record<string, any>;
  const patched = structuredClone(real);
  // A window with too few rows to judge, windows without labels, without estimates, without features.
  patched.windows[1].status = 'insufficient_data';
  patched.windows[1].drifted = null;
  for (const f of Object.values(patched.windows[1].features as Record<string, any>)) f.drift = { ...f.drift, drifted: null };
  patched.windows[2].performance = null;
  patched.windows[3].estimated_performance = { available: false, reason: 'the reference scores are not calibrated' };
  delete patched.windows[4].features;
  patched.windows[5].prediction_drift = null;
  delete patched.alert_history;
  // Importance as @ponte/explain and the monitor add it, on every window but one (a window whose samples were not explained in time).
  const names = Object.keys(real.windows[0].features as Record<string, unknown>);
  patched.windows.forEach((w: Record<string, any>, i: number) => {
    if (i === 2) return;
    const drifted = i >= 3;
    const weight = (f: string): number => (drifted && (f === 'income' || f === 'age') ? 3 : 1) + names.indexOf(f) / 10;
    const total = names.reduce((a, f) => a + weight(f), 0);
    const share = Object.fromEntries(names.map((f) => [f, weight(f) / total]));
    const effect = (f: string): number => (drifted && (f === 'income' || f === 'age') ? (f === 'income' ? 0.9 : 0.5) : 0.01);
    w.importance = {
      n: 250,
      share,
      reference_share: Object.fromEntries(names.map((f) => [f, 1 / names.length])),
      share_change: Object.fromEntries(names.map((f) => [f, share[f]! - 1 / names.length])),
      drift_impact: names.map((f) => ({ feature: f, score: share[f]! * effect(f), share: share[f]!, effect_size: effect(f) })).sort((a, b) => b.score - a.score),
    };
  });
  const answers = [patched, {}, { windows: [{ seq: 0, end: 'not a time' }, null, 7], alerts: 'nope' }];

  for (const body of answers) {
    const { page, problems } = await openPage();
    await page.route('**/v2/models/purchase/monitoring**', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) }));
    await page.goto(`${monitored!.server.url}/dashboard`, { timeout: 60_000 });
    await waitUntilRendered(page);
    assert.equal(await page.getAttribute('body', 'data-state'), 'ready', `${JSON.stringify(body).slice(0, 80)}: ${await page.locator('#status').innerText()}`);
    if (body === patched) {
      for (const id of [...CHARTS, 'chart-importance']) assert.ok(await colouredPixels(page, id) > 200, `${id} drawn despite the gaps`);
      // A line per feature, a point per window that has importance (five of six).
      assert.equal(await page.getAttribute('#chart-importance .plot', 'data-series'), String(names.length));
      assert.equal(Number(await page.getAttribute('#chart-importance .plot', 'data-points')), 5 * names.length);
      // The root-cause ranking of the newest window: the shifted features first, income (larger shift) on top.
      const ranked = await page.locator('#root-causes tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-feature')));
      assert.deepEqual(ranked.slice(0, 2), ['income', 'age']);
      assert.equal(ranked.length, names.length);
      assert.match(await page.locator('#root-causes').innerText(), /Window #\d+: 250 explained rows/);
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, 'dashboard-importance.png'), fullPage: true });
    } else {
      assert.match(await page.locator('#chart-p-value').innerText(), /No closed window yet/);
      assert.match(await page.locator('#chart-importance').innerText(), /No closed window yet/);
      assert.match(await page.locator('#features').innerText(), /No closed window yet/);
      assert.match(await page.locator('#root-causes').innerText(), /No closed window yet/);
    }
    assert.deepEqual(problems, []);
    await page.close();
  }
});

test('behind an authenticator the page loads without credentials, asks for a token, and reads the data with it', { skip, timeout: 120_000 }, async () => {
  const gated = await startMonitoredServer({ builtins: [gatekeeper] });
  try {
    const { page, problems } = await openPage();
    const dataRequests: Array<{ url: string; authorization: string | undefined }> = [];
    page.on('request', (r) => { if (/\/v[12]\/models/.test(r.url())) dataRequests.push({ url: r.url(), authorization: r.headers()['authorization'] }); });
    await page.goto(`${gated.server.url}/dashboard`, { timeout: 60_000 });
    await waitUntilRendered(page);
    assert.equal(await page.getAttribute('body', 'data-state'), 'error');
    assert.match(await page.locator('#status').innerText(), /wants credentials/);
    assert.equal(await page.locator('#auth').getAttribute('open'), '', 'the credentials form is opened');

    await page.fill('#token', TOKEN);
    await page.click('#token-form button[type="submit"]');
    await page.waitForSelector('body[data-state="ready"]', { timeout: 60_000 });
    assert.deepEqual(await page.locator('#model option').allInnerTexts(), ['purchase']);
    assert.match(await page.locator('#summary').innerText(), /purchase · version 1/);
    assert.match(await page.locator('#features').innerText(), /No closed window yet/);
    assert.equal(await page.evaluate('sessionStorage.getItem("ponte.dashboard.token")'), TOKEN, 'kept for this tab only');
    const monitoring = dataRequests.filter((r) => r.url.includes('/monitoring'));
    assert.ok(monitoring.length > 0);
    for (const r of monitoring) assert.equal(r.authorization, `Bearer ${TOKEN}`);

    // The only problem a user saw is the first, refused request for the models list.
    assert.deepEqual(problems.filter((p) => !/status of 401/.test(p)), []);
    await page.close();
  } finally {
    await gated.stop();
  }
});
