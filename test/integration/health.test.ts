import { startLocalApi, type LocalApi } from '../support/local-api';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(() => api.stop());

test('GET /health answers ok over real HTTP', async () => {
  const response = await api.request('GET', '/health');
  expect(response.status).toBe(200);
  expect(response.body).toEqual({ status: 'ok' });
  expect(response.headers.get('content-type')).toBe('application/json');
});

test('GET /concerts lists the demo concerts', async () => {
  const response = await api.request('GET', '/concerts');
  expect(response.status).toBe(200);
  expect(response.body.concerts.map((c: { concertId: string }) => c.concertId)).toEqual(
    expect.arrayContaining(['aurora-live', 'midnight-orchestra', 'neon-harbor']),
  );
});
