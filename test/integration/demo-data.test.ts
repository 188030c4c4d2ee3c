import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { seatClaimUpdate } from '../../functions/catalogue/catalogue-keys';
import { createDynamoCatalogueRepository } from '../../functions/catalogue/dynamo-catalogue-repository';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { waitingRoomDeps } from '../../functions/queue/default-queue-deps';
import { DEFAULT_CHALLENGE_WORK } from '../../functions/queue/join-challenge';
import { protectDemoConcert, PROTECTED_DEMO_CONCERT } from '../../local/demo-challenge';
import { seedDemoData } from '../../local/demo-data';
import { challengeFor, setChallengeWork } from '../support/join-challenge';
import { startLocalApi } from '../support/local-api';
import { useFreshTables } from '../support/tables';

const ROOT = resolve(__dirname, '../..');
let prefix: string;
let endpoint: string;
beforeAll(async () => {
  ({ prefix, endpoint } = await useFreshTables());
});

const catalogue = () => createDynamoCatalogueRepository(documentClient, tableName('catalogue'));

test('npm run seed fills empty tables with 3 concerts × 3 dates × 50 seats, and a second run adds and overwrites nothing', async () => {
  const seed = () =>
    promisify(execFile)(
      process.execPath,
      [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/seed.ts', '--endpoint', endpoint, '--table-prefix', prefix],
      {
        cwd: ROOT,
        env: { ...process.env, CATALOGUE_TABLE: '' },
      },
    );
  expect((await seed()).stdout).toMatch(/added 3 demo concerts/);

  const concerts = await catalogue().listConcerts('0000-01-01');
  expect(concerts.map((c) => c.concertId).sort()).toEqual(['aurora-live', 'midnight-orchestra', 'neon-harbor']);
  for (const { concertId } of concerts) {
    const schedules = await catalogue().listSchedules(concertId);
    expect(schedules.map((s) => [s.scheduleId, s.seatCount])).toEqual([1, 2, 3].map((n) => [`${concertId}-${n}`, 50]));
    const seats = await catalogue().listSeats(`${concertId}-1`);
    expect(seats.map((s) => s.seatNumber)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(seats.map((s) => s.price)).size).toBe(3);
  }

  const now = Date.now();
  await documentClient.send(
    new UpdateCommand(
      seatClaimUpdate(tableName('catalogue'), {
        concertId: 'aurora-live',
        scheduleId: 'aurora-live-1',
        seatNumber: 1,
        reservationId: 'r1',
        userId: 'alice',
        claimExpiresAt: now + 60_000,
        now,
        today: new Date(now).toISOString().slice(0, 10),
      }),
    ),
  );
  expect((await seed()).stdout).toMatch(/already has the demo concerts/);
  expect(await seedDemoData(catalogue())).toBe(0);
  expect((await catalogue().findSeat('aurora-live-1', 1))?.status).toBe('CLAIMED');
  expect(await catalogue().listConcerts('0000-01-01')).toHaveLength(3);
});

test('npm run seed says which table to name when it has none', async () => {
  const run = promisify(execFile)(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/seed.ts'], {
    cwd: ROOT,
    env: { ...process.env, CATALOGUE_TABLE: '' },
  });
  await expect(run).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('name the catalogue table') });
});

test('npm start protects the last demo concert with the default work, once; the first stays open to a plain join', async () => {
  const api = await startLocalApi({ demoChallenge: true });
  try {
    expect(PROTECTED_DEMO_CONCERT).toBe('neon-harbor');
    const token = await api.tokenFor('demo-visitor');
    expect((await challengeFor(api, token, PROTECTED_DEMO_CONCERT)).parameters.data).toMatchObject({ work: DEFAULT_CHALLENGE_WORK });
    const join = (concertId: string) => api.request('POST', `/concerts/${concertId}/queue`, { token });
    expect((await join('aurora-live')).status).toBe(201);
    expect((await join(PROTECTED_DEMO_CONCERT)).body.error.code).toBe('CHALLENGE_REQUIRED');
    // An operator's own setting stands: a later start changes nothing.
    await setChallengeWork(api, PROTECTED_DEMO_CONCERT, 0);
    expect(await protectDemoConcert(waitingRoomDeps())).toBe(false);
    expect((await join(PROTECTED_DEMO_CONCERT)).status).toBe(201);
  } finally {
    await api.stop();
  }
});
