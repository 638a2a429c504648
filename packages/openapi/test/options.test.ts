import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPonteError } from '@ponte/core';
import { EXAMPLE_MODELS, startTestServer } from '@ponte/http/testing';

type Json = Record<string, any>;

function withOpenApi(options: Record<string, unknown>): Record<string, unknown> {
  return { plugins: ['@ponte/onnx', { package: '@ponte/openapi', options }], repository: EXAMPLE_MODELS, models: [{ name: 'purchase' }] };
}

test('path, uiPath, title and servers move and label the documentation', async () => {
  const server = await startTestServer({
    config: withOpenApi({ path: '/api/openapi.json', uiPath: '/api-docs', title: 'Purchase scoring', servers: ['https://models.example.com', '/'] }),
  });
  try {
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as Json;
    assert.equal(doc.info.title, 'Purchase scoring');
    assert.deepEqual(doc.servers, [{ url: 'https://models.example.com' }, { url: '/' }]);
    assert.match(doc.info.description, /validators: none/, 'without a validator plugin the document says feature ranges are not enforced');

    const page = await fetch(`${server.url}/api-docs`);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<title>Purchase scoring<\/title>/);
    assert.match(html, /src="\/api-docs\/swagger-ui-bundle\.js/);
    assert.match(page.headers.get('content-security-policy') ?? '', /connect-src 'self' https:\/\/models\.example\.com/, '"Try it out" may call the advertised server');
    const init = await (await fetch(`${server.url}/api-docs/swagger-initializer.js`)).text();
    assert.match(init, /"url": "\/api\/openapi\.json"/);

    assert.equal((await fetch(`${server.url}/openapi.json`)).status, 404);
    assert.equal((await fetch(`${server.url}/docs`)).status, 404);
  } finally {
    await server.stop();
  }
});

test('ui: false serves the document but no Swagger UI', async () => {
  const server = await startTestServer({ config: withOpenApi({ ui: false }) });
  try {
    assert.equal((await fetch(`${server.url}/openapi.json`)).status, 200);
    const docs = await fetch(`${server.url}/docs`);
    assert.equal(docs.status, 404);
    assert.equal(((await docs.json()) as Json).code, 'PONTE_NOT_FOUND');
    assert.equal((await fetch(`${server.url}/docs/swagger-ui-bundle.js`)).status, 404);
  } finally {
    await server.stop();
  }
});

async function refusal(options: Record<string, unknown>): Promise<{ code: string; message: string }> {
  try {
    const server = await startTestServer({ config: withOpenApi(options) });
    await server.stop();
  } catch (e) {
    assert.ok(isPonteError(e), String(e));
    return { code: e.code, message: e.message };
  }
  return { code: 'started', message: '' };
}

test('bad options stop the server at start-up with a message naming the option', async () => {
  const unknown = await refusal({ theme: 'dark' });
  assert.equal(unknown.code, 'PONTE_CONFIG_INVALID');
  assert.match(unknown.message, /theme/);

  const badPath = await refusal({ path: 'openapi.json' });
  assert.equal(badPath.code, 'PONTE_CONFIG_INVALID');
  assert.match(badPath.message, /path/);

  const inCore = await refusal({ uiPath: '/v2/docs' });
  assert.match(inCore.message, /uiPath.*\/v2/);

  const underUi = await refusal({ path: '/docs/openapi.json' });
  assert.match(underUi.message, /must not be "\/docs" or under it/);
});
