/** The local server serves the web page at `/` and below `/app/` only; every other unknown path stays the JSON 404. */
import { startLocalApi, type LocalApi } from '../support/local-api';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi({ seed: false });
}, 60_000);
afterAll(() => api?.stop());

const get = (path: string, method = 'GET') => fetch(`${api.url}${path}`, { method });

test('/ is the page, under a content security policy that allows only its own origin', async () => {
  const response = await get('/');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  const html = await response.text();
  expect(html).toContain('<script type="module" src="/app/main.js"></script>');
  expect(html).toContain('<link rel="stylesheet" href="/app/style.css" />');
});

test('/app/* holds the script, the style sheet and the local config', async () => {
  const script = await get('/app/main.js');
  expect(script.status).toBe(200);
  expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect((await script.text()).length).toBeGreaterThan(1000);
  expect((await get('/app/style.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
  expect(await (await get('/app/config.json')).json()).toEqual({ apiUrl: '/api', signIn: { kind: 'local' } });
  expect((await get('/app/')).headers.get('content-type')).toBe('text/html; charset=utf-8');
});

test.each(['/app/admin', '/app/admin/'])('%s is the operator console, a page of its own under the same policy', async (path) => {
  const response = await get(path);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  const html = await response.text();
  expect(html).toContain('<script type="module" src="/app/admin/console.js"></script>');
  expect(html).toContain('<link rel="stylesheet" href="/app/admin/console.css" />');
});

test("the console's script carries its charts; the ticket page's does not", async () => {
  const [script, page, style] = await Promise.all([get('/app/admin/console.js'), get('/app/main.js'), get('/app/admin/console.css')]);
  expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  const [consoleCode, pageCode, styleText] = await Promise.all([script.text(), page.text(), style.text()]);
  expect(consoleCode).toContain('u-legend');
  expect(pageCode).not.toContain('u-legend');
  expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  expect(styleText).toContain('.uplot'); // uPlot's own sheet, bundled with the console's
});

test.each([
  ['GET', '/app/admin/missing.js'],
  ['POST', '/app/admin'],
  ['GET', '/app/missing.js'],
  ['GET', '/index.html'],
  ['GET', '/main.js'],
  ['POST', '/'],
  ['GET', '/apps'],
])('%s %s is the JSON 404', async (method, path) => {
  const response = await get(path, method);
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
});
