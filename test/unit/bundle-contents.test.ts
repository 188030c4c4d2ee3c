import { buildSync } from 'esbuild';
import { join, resolve } from 'node:path';
import { jobs } from '../../functions/jobs/job-table';
import { streamConsumers } from '../../functions/jobs/stream-consumers';
import { groupEntry, handlerGroups, routes } from '../../functions/http/route-table';

const ROOT = resolve(__dirname, '..', '..');

/** Every file a function's bundle holds, as the stack bundles it (the AWS SDK left out). */
function bundledFiles(entry: string): string[] {
  const result = buildSync({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    write: false,
    metafile: true,
    absWorkingDir: ROOT,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

const ACTIVE_GUARD = 'functions/http/middleware/active-queue-token.ts';
const JOIN_CHALLENGES = 'functions/queue/join-challenges.ts';
const servesActiveRoutes = (group: string) => routes.some((route) => route.group === group && route.auth === 'active');
const altcha = (files: string[]) => files.filter((file) => file.includes('node_modules/altcha-lib/'));

// Every module in a bundle is read and run at each cold start: a function carries only what it serves.
test.each(handlerGroups.map((group) => [group, servesActiveRoutes(group)] as const))(
  'the %s function loads the ACTIVE guard only if it serves ACTIVE routes (%s)',
  (group, active) => {
    expect(bundledFiles(groupEntry(group)).includes(ACTIVE_GUARD)).toBe(active);
  },
);

test('only the functions that issue or revoke queue places load the join challenges', () => {
  for (const group of handlerGroups) {
    const files = bundledFiles(groupEntry(group));
    const joins = group === 'queue' || group === 'admin';
    expect({ group, challenges: files.includes(JOIN_CHALLENGES), altcha: altcha(files).length > 0 }).toEqual({
      group,
      challenges: joins,
      altcha: joins,
    });
  }
});

test('the public function loads nothing of the queue, and the jobs nothing of queue tokens or challenges', () => {
  expect(bundledFiles(groupEntry('public')).filter((file) => file.startsWith('functions/queue/'))).toEqual([]);
  for (const job of jobs) {
    const files = bundledFiles(job.entry);
    expect(files.filter((file) => /functions\/queue\/(queue-tokens?|queue-token-keys|join-challenges?)\.ts$/.test(file))).toEqual([]);
    expect(altcha(files)).toEqual([]);
  }
});

test('the jobs and the stream consumers load no zod: they validate no input, and read their settings by hand', () => {
  for (const { entry } of [...jobs, ...streamConsumers]) {
    expect({ entry, zod: bundledFiles(entry).filter((file) => file.includes('node_modules/zod/')) }).toEqual({ entry, zod: [] });
  }
});
