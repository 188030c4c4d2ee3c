import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { routes } from '../../functions/http/route-table';
import { startLocalApi, type LocalApi } from '../support/local-api';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({ seed: false });
});
afterAll(() => api.stop());

const committed = JSON.parse(readFileSync(resolve(__dirname, '../../openapi.json'), 'utf8'));

test('GET /openapi.json serves the committed document, naming this server', async () => {
  const response = await api.request('GET', '/openapi.json');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(response.body.servers).toEqual([{ url: api.url, description: 'this server' }]);
  expect({ ...response.body, servers: committed.servers }).toEqual(committed);
});

test('GET /docs renders every operation on one page that loads nothing from elsewhere', async () => {
  const response = await fetch(`${api.url}/docs`);
  const html = await response.text();
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  for (const route of routes) {
    expect(html).toContain(`<section class="operation" id="${route.handler}">`);
    expect(html).toContain(`<code>${route.path}</code>`);
  }
  for (const schema of Object.keys(committed.components.schemas)) expect(html).toContain(`id="schema-${schema}"`);
  expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
  expect(html.match(/href="([^"]*)"/g)!.every((href) => /^href="(#[\w-]+|\/openapi\.json)"$/.test(href))).toBe(true);
});

test('the docs exist only on the local server: no route of the table serves them', () => {
  expect(routes.map((route) => route.path)).not.toEqual(expect.arrayContaining(['/openapi.json']));
  expect(routes.some((route) => route.path.startsWith('/docs'))).toBe(false);
});

test('POST /docs is not a docs request', async () => {
  const response = await api.request('POST', '/docs');
  expect(response.status).toBe(404);
  expect(response.body.error.code).toBe('NOT_FOUND');
});
