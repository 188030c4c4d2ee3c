import { startLocalApi, type ApiResponse, type LocalApi } from '../support/local-api';

/**
 * The sale-day controls over real HTTP against the local server (DynamoDB Local, real JWTs, the job
 * timer off, so each `POST /local/jobs/activate` is one admission run of the 60 s the contract
 * assumes then): settings read and changed by admins, concurrent changes, pause, close and the
 * scheduled opening as joins and polls see them.
 */
let api: LocalApi;
let ada: string;
let bob: string;
let user: (name: string) => Promise<string>;

beforeAll(async () => {
  api = await startLocalApi();
  [ada, bob] = await Promise.all([api.tokenFor('ada', ['admin']), api.tokenFor('bob', ['admin'])]);
  const tokens = new Map<string, string>();
  user = async (name) => {
    if (!tokens.has(name)) tokens.set(name, await api.tokenFor(name));
    return tokens.get(name)!;
  };
});
afterAll(() => api.stop());

let concerts = 0;
const schedules = new Map<string, string>();
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/** A concert of the test's own, with a few seats tomorrow. */
async function newConcert(): Promise<string> {
  const response = await api.request('POST', '/admin/concerts', {
    token: ada,
    body: {
      title: `Settings ${++concerts}`,
      venue: 'Hall',
      schedules: [{ date: tomorrow(), seats: Array.from({ length: 6 }, (_, i) => ({ seatNumber: i + 1, price: 1000 })) }],
    },
  });
  expect(response.status).toBe(201);
  schedules.set(response.body.concertId, response.body.schedules[0].scheduleId);
  return response.body.concertId;
}

const settingsPath = (concertId: string) => `/admin/concerts/${concertId}/waiting-room`;
const read = (concertId: string, token = ada) => api.request('GET', settingsPath(concertId), { token });
const patch = (concertId: string, body: unknown, options: { token?: string; ifMatch?: string } = {}) =>
  api.request('PATCH', settingsPath(concertId), {
    token: options.token ?? ada,
    body,
    headers: options.ifMatch === undefined ? {} : { 'if-match': options.ifMatch },
  });
const changes = (concertId: string) => api.request('GET', `${settingsPath(concertId)}/changes`, { token: ada });
const join = async (concertId: string, name: string) => api.request('POST', `/concerts/${concertId}/queue`, { token: await user(name) });
const poll = async (concertId: string, name: string, queueToken: string) =>
  api.request('GET', `/concerts/${concertId}/queue`, { token: await user(name), queueToken });
const activate = async (concertId: string) => {
  const run = await api.request('POST', '/local/jobs/activate');
  expect(run.status).toBe(200);
  return (run.body.concerts as { concertId: string; admitted: number }[]).find((c) => c.concertId === concertId)?.admitted ?? 0;
};

/** Joins and polls read the settings through a cache of at most a second (POLL_ADMISSION_CACHE_MS): after it, every one sees a change. */
const cacheWindow = () => new Promise((resolve) => setTimeout(resolve, 1100));

/** Polls until the answer shows a change (within the cache's second). */
async function eventually(request: () => Promise<ApiResponse>, done: (response: ApiResponse) => boolean): Promise<ApiResponse> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const response = await request();
    if (done(response) || Date.now() > deadline) return response;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const SETTINGS_FIELDS = [
  'activeSeconds',
  'admission',
  'admitPerMinute',
  'challengeWork',
  'concertId',
  'holdSeconds',
  'joining',
  'maxActive',
  'preQueueOpensAt',
  'revision',
  'saleOpensAt',
];

describe('reading and changing the settings', () => {
  test("a concert never configured: revision 0 and the deployment's settings; a change answers the settings after it", async () => {
    const concertId = await newConcert();
    const defaults = await read(concertId);
    expect(defaults.status).toBe(200);
    expect(defaults.headers.get('etag')).toBe('"0"');
    expect(Object.keys(defaults.body).sort()).toEqual(SETTINGS_FIELDS);
    // The timer is off, so a run is one of 60 s: ADMIT_PER_TICK (100) a run is 100 a minute.
    expect(defaults.body).toEqual({
      concertId,
      revision: 0,
      joining: 'OPEN',
      admission: 'RUNNING',
      admitPerMinute: 100,
      maxActive: 1000,
      activeSeconds: 600,
      holdSeconds: 300,
      preQueueOpensAt: null,
      saleOpensAt: null,
      challengeWork: 0,
    });

    const changed = await patch(
      concertId,
      { admitPerMinute: 250, saleOpensAt: '2030-01-01T10:00:00+09:00', challengeWork: 5000 },
      { ifMatch: '"0"' },
    );
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).toBe('"1"');
    expect(changed.body).toEqual({
      ...defaults.body,
      revision: 1,
      admitPerMinute: 250,
      saleOpensAt: '2030-01-01T01:00:00.000Z',
      challengeWork: 5000,
      updatedAt: expect.any(String),
      updatedBy: 'ada',
    });
    expect(Math.abs(Date.parse(changed.body.updatedAt) - Date.now())).toBeLessThan(10_000);
    expect((await read(concertId)).body).toEqual(changed.body);

    // Nothing to change: the same settings, no new revision.
    const same = await patch(concertId, { admitPerMinute: 250 });
    expect([same.status, same.body.revision]).toEqual([200, 1]);
    const audit = await changes(concertId);
    expect(audit.body).toEqual({
      changes: [
        {
          at: changed.body.updatedAt,
          by: 'ada',
          revision: 1,
          changed: {
            admitPerMinute: { from: 100, to: 250 },
            saleOpensAt: { from: null, to: '2030-01-01T01:00:00.000Z' },
            challengeWork: { from: 0, to: 5000 },
          },
        },
      ],
    });
  });

  test.each<[string, unknown, string[]]>([
    ['an unknown field', { admitPerMinute: 10, speed: 'fast' }, ['speed']],
    ['a wrong type', { admitPerMinute: '10' }, ['admitPerMinute']],
    ['a fraction', { maxActive: 2.5 }, ['maxActive']],
    [
      'out of range',
      { admitPerMinute: 0, maxActive: 10_000_001, activeSeconds: 59, holdSeconds: 1801, challengeWork: -1 },
      ['admitPerMinute', 'maxActive', 'activeSeconds', 'holdSeconds', 'challengeWork'],
    ],
    ['a lower-case value', { joining: 'closed', admission: 'paused' }, ['joining', 'admission']],
    ['a time that is not ISO', { saleOpensAt: 'tomorrow at ten', preQueueOpensAt: 1_700_000_000_000 }, ['saleOpensAt', 'preQueueOpensAt']],
    [
      'the pre-queue opening after the sale',
      { preQueueOpensAt: '2030-01-02T00:00:00Z', saleOpensAt: '2030-01-01T00:00:00Z' },
      ['preQueueOpensAt'],
    ],
    ['no body', undefined, ['body']],
    ['a list', [], ['body']],
  ])('400 VALIDATION_ERROR for %s, naming each bad field, and nothing changes', async (_, body, paths) => {
    const concertId = await newConcert();
    const response = await patch(concertId, body);
    expect([response.status, response.body.error.code]).toEqual([400, 'VALIDATION_ERROR']);
    expect(response.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual([...paths].sort());
    expect((await read(concertId)).body.revision).toBe(0);
    expect((await changes(concertId)).body).toEqual({ changes: [] });
  });

  test('400 for a bad If-Match, 404 for an unknown concert, on every settings route', async () => {
    const concertId = await newConcert();
    for (const tag of ['W/"0"', '"zero"', '"0", "1"', '']) {
      const response = await patch(concertId, { joining: 'CLOSED' }, { ifMatch: tag });
      expect([tag, response.status, response.body.error.details?.[0]?.path]).toEqual([tag, 400, 'if-match']);
    }
    expect((await read(concertId)).body.revision).toBe(0);
    for (const response of [
      await read('no-such-concert'),
      await patch('no-such-concert', { joining: 'CLOSED' }),
      await changes('no-such-concert'),
    ]) {
      expect([response.status, response.body.error.code]).toEqual([404, 'NOT_FOUND']);
    }
  });

  test('a later change over a pre-queue time checks the times as they would be after it', async () => {
    const concertId = await newConcert();
    expect((await patch(concertId, { preQueueOpensAt: '2030-01-01T09:00:00Z' })).status).toBe(200);
    const early = await patch(concertId, { saleOpensAt: '2030-01-01T08:59:59Z' });
    expect([early.status, early.body.error.details]).toEqual([
      400,
      [{ path: 'saleOpensAt', message: 'preQueueOpensAt must not be after saleOpensAt' }],
    ]);
    expect((await patch(concertId, { saleOpensAt: '2030-01-01T09:00:00Z' })).status).toBe(200);
  });

  test('the audit lists the last 50 changes, newest first', async () => {
    const concertId = await newConcert();
    for (let i = 1; i <= 55; i++) expect((await patch(concertId, { maxActive: i }, { token: i % 2 ? ada : bob })).status).toBe(200);
    const { body } = await changes(concertId);
    expect(body.changes).toHaveLength(50);
    expect(body.changes.map((c: { revision: number }) => c.revision)).toEqual(Array.from({ length: 50 }, (_, i) => 55 - i));
    expect(body.changes[0]).toMatchObject({ by: 'ada', changed: { maxActive: { from: 54, to: 55 } } });
    expect(body.changes[1]).toMatchObject({ by: 'bob', changed: { maxActive: { from: 53, to: 54 } } });
  });
});

describe('two admins at once', () => {
  test('with If-Match on the same revision: one 200, one 412 PRECONDITION_FAILED; only the first is recorded', async () => {
    const concertId = await newConcert();
    for (let round = 0; round < 3; round++) {
      const { revision } = (await read(concertId)).body;
      const [first, second] = await Promise.all([
        patch(concertId, { admitPerMinute: 200 + round }, { token: ada, ifMatch: `"${revision}"` }),
        patch(concertId, { maxActive: 10 + round }, { token: bob, ifMatch: `"${revision}"` }),
      ]);
      expect([first.status, second.status].sort()).toEqual([200, 412]);
      const refused = first.status === 412 ? first : second;
      expect(refused.body.error.code).toBe('PRECONDITION_FAILED');
      expect((await read(concertId)).body.revision).toBe(revision + 1);
    }
    expect((await changes(concertId)).body.changes).toHaveLength(3);
  });

  test('without If-Match: both changes land, two revisions, both audited with who made them', async () => {
    const concertId = await newConcert();
    for (let round = 0; round < 3; round++) {
      const before = (await read(concertId)).body;
      const [first, second] = await Promise.all([
        patch(concertId, { admitPerMinute: 500 + round }, { token: ada }),
        patch(concertId, { holdSeconds: 100 + round }, { token: bob }),
      ]);
      expect([first.status, second.status]).toEqual([200, 200]);
      const after = (await read(concertId)).body;
      expect(after).toMatchObject({ revision: before.revision + 2, admitPerMinute: 500 + round, holdSeconds: 100 + round });
      const [newest, older] = (await changes(concertId)).body.changes;
      expect([newest.revision, older.revision]).toEqual([after.revision, after.revision - 1]);
      expect(new Set([newest.by, older.by])).toEqual(new Set(['ada', 'bob']));
      const byAda = newest.by === 'ada' ? newest : older;
      expect(byAda.changed).toEqual({ admitPerMinute: { from: before.admitPerMinute, to: 500 + round } });
    }
  });
});

describe('pause and close as users see them', () => {
  test('paused under polling: polls and joins say paused, nobody is admitted, ACTIVE users keep their time; resumed, admission goes on', async () => {
    const concertId = await newConcert();
    const first = await join(concertId, 'p-0');
    expect(await activate(concertId)).toBe(1);
    const active = (await poll(concertId, 'p-0', first.body.token)).body;
    expect(active.status).toBe('ACTIVE');
    const waiting = await Promise.all(Array.from({ length: 6 }, (_, i) => join(concertId, `p-${i + 1}`)));

    expect((await patch(concertId, { admission: 'PAUSED', admitPerMinute: 1000 })).status).toBe(200);
    const pollAll = () => Promise.all(waiting.map((j, i) => poll(concertId, `p-${i + 1}`, j.body.token)));
    let polls = await eventually(
      async () => ({ status: 200, headers: new Headers(), body: await pollAll() }),
      (all) => all.body.every((p: ApiResponse) => p.body.paused === true),
    ).then((all) => all.body as ApiResponse[]);
    expect(polls.every((p) => p.body.status === 'WAIT' && p.body.paused === true)).toBe(true);
    const positions = polls.map((p) => p.body.position);
    expect([...positions].sort()).toEqual([1, 2, 3, 4, 5, 6]);

    // Runs while paused, with polls going on: nobody is admitted, nobody moves.
    const [runs, during] = await Promise.all([Promise.all([activate(concertId), activate(concertId)]), pollAll()]);
    expect(runs).toEqual([0, 0]);
    expect(during.map((p) => [p.body.status, p.body.position, p.body.paused])).toEqual(
      positions.map((position) => ['WAIT', position, true]),
    );
    const stillActive = (await poll(concertId, 'p-0', first.body.token)).body;
    expect(stillActive).toMatchObject({ status: 'ACTIVE', activeUntil: active.activeUntil, paused: true });
    expect((await join(concertId, 'p-late')).body).toMatchObject({ status: 'WAIT', position: 7, paused: true });

    expect((await patch(concertId, { admission: 'RUNNING' })).status).toBe(200);
    polls = await eventually(
      async () => ({ status: 200, headers: new Headers(), body: await pollAll() }),
      (all) => all.body.every((p: ApiResponse) => !('paused' in p.body)),
    ).then((all) => all.body as ApiResponse[]);
    expect(polls.every((p) => !('paused' in p.body))).toBe(true);
    expect(await activate(concertId)).toBe(7);
    const admitted = await eventually(
      () => poll(concertId, 'p-6', waiting[5].body.token),
      (p) => p.body.status === 'ACTIVE',
    );
    expect(Object.keys(admitted.body).sort()).toEqual(['activeUntil', 'concertId', 'estimatedWaitSeconds', 'position', 'status', 'token']);
  });

  test('closed: new joins are 409 QUEUE_CLOSED; people in line keep their places and get their tokens back; reopened, joins go on', async () => {
    const concertId = await newConcert();
    const ann = await join(concertId, 'c-ann');
    const ben = await join(concertId, 'c-ben');
    expect(await activate(concertId)).toBe(2);
    const cy = await join(concertId, 'c-cy');
    expect((await patch(concertId, { joining: 'CLOSED' })).status).toBe(200);
    await cacheWindow();

    const refused = await join(concertId, 'c-dee');
    expect([refused.status, refused.body.error.code]).toEqual([409, 'QUEUE_CLOSED']);
    const [annAgain, cyAgain, eve] = await Promise.all([join(concertId, 'c-ann'), join(concertId, 'c-cy'), join(concertId, 'c-eve')]);
    expect([annAgain.status, annAgain.body.token, annAgain.body.status]).toEqual([200, ann.body.token, 'ACTIVE']);
    expect([cyAgain.status, cyAgain.body.token, cyAgain.body.position]).toEqual([200, cy.body.token, 1]);
    expect([eve.status, eve.body.error.code]).toEqual([409, 'QUEUE_CLOSED']);
    expect((await poll(concertId, 'c-ben', ben.body.token)).body.status).toBe('ACTIVE');
    // Cy, and the number the server's first join after the change took alongside the read that found the room
    // closed (it had seen it open): counted until admission passes it, as the contract's widened rule allows.
    expect(await activate(concertId)).toBe(2);
    expect((await poll(concertId, 'c-cy', cy.body.token)).body.status).toBe('ACTIVE');

    expect((await patch(concertId, { joining: 'OPEN' })).status).toBe(200);
    await cacheWindow();
    const reopened = await join(concertId, 'c-dee');
    expect([reopened.status, reopened.body.status]).toEqual([201, 'WAIT']);
  });

  test('before preQueueOpensAt: 409 QUEUE_NOT_OPEN with Retry-After, a live token still comes back; before saleOpensAt nobody is admitted', async () => {
    const concertId = await newConcert();
    const early = await join(concertId, 'o-early');
    const opensAt = Date.now() + 3_600_000;
    const saleAt = opensAt + 1_800_000;
    const scheduled = await patch(concertId, {
      preQueueOpensAt: new Date(opensAt).toISOString(),
      saleOpensAt: new Date(saleAt).toISOString(),
    });
    expect(scheduled.status).toBe(200);
    await cacheWindow();

    const refused = await join(concertId, 'o-late');
    expect([refused.status, refused.body.error.code]).toEqual([409, 'QUEUE_NOT_OPEN']);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3590);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(refused.body.error.message).toContain(new Date(opensAt).toISOString());
    expect(await join(concertId, 'o-early')).toMatchObject({ status: 200, body: { token: early.body.token } });

    // The door opens (here: the pre-queue time is lifted); until the sale opens, joins enter the pre-queue, with no
    // place yet, and nobody is admitted.
    expect((await patch(concertId, { preQueueOpensAt: null })).status).toBe(200);
    await cacheWindow();
    const joined = await join(concertId, 'o-late');
    expect([joined.status, joined.body.status, joined.body.position, joined.body.estimatedWaitSeconds]).toEqual([201, 'WAIT', null, null]);
    expect(joined.body.opensAt).toBe(new Date(saleAt).toISOString());
    expect(Number(joined.headers.get('retry-after'))).toBe(30);
    expect(await activate(concertId)).toBe(0);
    // The opening run admits the pre-queue, then the early joiner and the number the first refused join took (the
    // server had seen the room open).

    expect((await patch(concertId, { saleOpensAt: new Date(Date.now() - 1000).toISOString() })).status).toBe(200);
    expect(await activate(concertId)).toBe(3);
  });

  test('a changed activeSeconds leaves admitted users their activeUntil; a changed holdSeconds applies to the next hold', async () => {
    const concertId = await newConcert();
    const scheduleId = schedules.get(concertId)!;
    const ann = await join(concertId, 'l-ann');
    await activate(concertId);
    const annUntil = (await poll(concertId, 'l-ann', ann.body.token)).body.activeUntil;
    const hold = async (seatNumber: number) =>
      api.request('POST', '/reservations', {
        token: await user('l-ann'),
        queueToken: ann.body.token,
        body: { concertId, scheduleId, seatNumber },
      });
    const first = await hold(1);
    expect(Date.parse(first.body.expiresAt) - Date.parse(first.body.createdAt)).toBe(300_000);

    expect((await patch(concertId, { activeSeconds: 120, holdSeconds: 45 })).status).toBe(200);
    const ben = await join(concertId, 'l-ben');
    await activate(concertId);
    const benStatus = (await poll(concertId, 'l-ben', ben.body.token)).body;
    expect(Date.parse(benStatus.activeUntil) - Date.now()).toBeLessThanOrEqual(120_000);
    expect(Date.parse(benStatus.activeUntil) - Date.now()).toBeGreaterThan(100_000);
    expect((await poll(concertId, 'l-ann', ann.body.token)).body.activeUntil).toBe(annUntil);

    const second = await hold(2);
    expect(Date.parse(second.body.expiresAt) - Date.parse(second.body.createdAt)).toBe(45_000);
    const listed = await api.request('GET', '/reservations', { token: await user('l-ann') });
    const expiresOf = (id: string) => listed.body.reservations.find((r: { reservationId: string }) => r.reservationId === id).expiresAt;
    expect(expiresOf(first.body.reservationId)).toBe(first.body.expiresAt);
  });
});
