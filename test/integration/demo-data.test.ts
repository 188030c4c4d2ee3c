import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { seatClaimUpdate } from '../../functions/catalogue/catalogue-keys';
import { createDynamoCatalogueRepository } from '../../functions/catalogue/dynamo-catalogue-repository';
import { tableName } from '../../functions/shared/config';
import { documentClient } from '../../functions/shared/dynamodb-client';
import { seedDemoData } from '../../local/demo-data';
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
