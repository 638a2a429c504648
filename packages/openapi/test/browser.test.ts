import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is absent: install it with \`apt-get install -y chromium\` to run the browser test`;

test('Swagger UI renders every model\'s operations in a real browser, offline, and "Try it out" predicts', { skip, timeout: 180_000 }, async () => {
  const server = await startTestServer({ config: { plugins: ['@ponte/onnx', '@ponte/validator-jsonschema', '@ponte/openapi'], repository: EXAMPLE_MODELS } });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
      timeout: 60_000,
    });
    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // CSP violations and failed loads show up as console errors.
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });

    await page.goto(`${server.url}/docs`, { timeout: 60_000 });
    const op = page.locator('.opblock', { has: page.locator('[data-path="/v1/models/purchase:predict"]') }).first();
    await op.waitFor({ state: 'visible', timeout: 60_000 });
    for (const path of ['/v2/models/house/infer', '/v1/models/digits:predict', '/v2/health/ready']) {
      assert.equal(await page.locator(`[data-path="${path}"]`).count() > 0, true, `${path} is rendered`);
    }

    // What a user does: open the operation, try the example, read the prediction.
    await op.locator('.opblock-summary').click();
    await op.getByRole('button', { name: 'Try it out' }).click();
    await op.getByRole('button', { name: 'Execute' }).click();
    const live = op.locator('.live-responses-table tr.response .response-col_status').first();
    await live.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal((await live.innerText()).trim(), '200');
    assert.match(await op.locator('.live-responses-table tr.response .response-col_description').first().innerText(), /"probability"/);

    assert.ok(requests.length > 0);
    for (const url of requests) assert.ok(url.startsWith(server.url), `the page requested ${url}, which is not this server`);
    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    await server.stop();
  }
});
