/**
 * Figure 14: proof of work at the door. What a protected concert's join costs the server on top of
 * an ordinary join (checking the solution; its replay guard is in the token write), against the ordinary join's own
 * cost; what issuing a challenge costs (one key derivation); and, where Chromium is installed, how
 * long the page takes to solve a challenge of DEFAULT_CHALLENGE_WORK, which is an honest user's delay.
 */
import { existsSync } from 'node:fs';
import { solveChallenge, type Challenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import { DEFAULT_CHALLENGE_WORK } from '../../functions/queue/join-challenge';
import { CHROMIUM_PATH, launchChromium } from '../../test/support/browser';
import { WRITE_COMMANDS } from '../dynamodb-calls';
import type { HttpClient } from '../http-client';
import { withCpuShares } from '../process-stats';
import { judged, notMeasured, reported, type Figure } from '../results';
import type { Scenario, ScenarioContext } from '../scenario';
import { mapConcurrent, median, percentile, round } from '../stats';
import { bearerToken, createConcert, expectStatus, runTag, userIds } from '../world';

const GROUP = '14 join challenge';
/** The server's checks do not depend on the work asked: a little keeps the bench's own solving short. */
const BENCH_WORK = 10;
/** Joins in flight at once: enough to keep the server busy, few enough that its CPU time is the join's. */
const CONCURRENCY = 8;
/** Plain and protected joins are measured in alternating rounds, so a busy moment of the machine hits both. */
const ROUNDS = 2;

interface Account {
  readonly userId: string;
  readonly token: string;
}

export const joinChallengeScenario: Scenario = {
  name: 'join-challenge',
  async run(context) {
    const { http, sizes, log } = context;
    const open = await createConcert(http, 'challenge-open', 1, 10);
    const protectedConcert = await createConcert(http, 'challenge-protected', 1, 10);
    await setChallengeWork(http, protectedConcert.concertId, BENCH_WORK);
    const perRound = Math.ceil(sizes.challengeJoins / ROUNDS);
    const accounts = await mapConcurrent(userIds('challenge', perRound * ROUNDS * 2), 32, async (userId) => ({
      userId,
      token: await bearerToken(http, userId),
    }));
    log(`join-challenge: ${perRound * ROUNDS} plain and ${perRound * ROUNDS} protected joins, ${CONCURRENCY} at a time`);

    const plain: Phase[] = [];
    const issued: Phase[] = [];
    const verified: Phase[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const users = accounts.slice(round * perRound * 2, (round + 1) * perRound * 2);
      const [plainUsers, protectedUsers] = [users.slice(0, perRound), users.slice(perRound)];
      plain.push(await phase(context, plainUsers, (user) => join(http, open.concertId, user)));
      const challenges: Challenge[] = [];
      issued.push(
        await phase(context, protectedUsers, async (user, i) => {
          const response = await http.request('GET', `/concerts/${protectedConcert.concertId}/queue/challenge`, { token: user.token });
          challenges[i] = expectStatus(response, 'challenge', 200).body;
          return response;
        }),
      );
      const payloads = await mapConcurrent(challenges, 4, async (challenge) => {
        const solution = await solveChallenge({ challenge, deriveKey });
        return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
      });
      verified.push(await phase(context, protectedUsers, (user, i) => join(http, protectedConcert.concertId, user, payloads[i])));
    }

    const [plainJoin, challenge, verifiedJoin] = [summary(plain), summary(issued), summary(verified)];
    const refused = [...verified, ...plain].reduce((sum, p) => sum + p.refused, 0);
    const figures: Figure[] = [];
    if (plainJoin.cpuMs !== undefined && verifiedJoin.cpuMs !== undefined && challenge.cpuMs !== undefined) {
      const extra = verifiedJoin.cpuMs - plainJoin.cpuMs;
      figures.push(
        reported(GROUP, 'server CPU per join, concert without a challenge', round(plainJoin.cpuMs), 'ms', plainJoin.note),
        reported(GROUP, 'server CPU per join with a verified solution', round(verifiedJoin.cpuMs), 'ms', verifiedJoin.note),
        judged(
          GROUP,
          "server CPU a verified solution adds to a join / the join's own",
          round(extra / plainJoin.cpuMs),
          'x',
          '<=',
          0.5,
          `${round(extra)} ms more: the payload's checks (two HMACs); its replay guard rides on the token write`,
        ),
        reported(
          GROUP,
          'server CPU per challenge issued / per join without a challenge',
          round(challenge.cpuMs / plainJoin.cpuMs),
          'x',
          `${round(challenge.cpuMs)} ms a challenge (the request, and its one PBKDF2 key derivation of 1,000 iterations); ${challenge.note}`,
        ),
      );
    } else {
      figures.push(
        notMeasured(
          GROUP,
          "server CPU a verified solution adds to a join / the join's own",
          'x',
          '<= 0.5',
          'needs the server process id (not with --base-url)',
        ),
      );
    }
    figures.push(
      reported(
        GROUP,
        'join p50 with a verified solution / without a challenge',
        round(verifiedJoin.p50 / plainJoin.p50),
        'x',
        `p50 ${round(verifiedJoin.p50)} ms against ${round(plainJoin.p50)} ms: the same round trips (the replay guard is in the token write)`,
      ),
      reported(GROUP, 'joins not answered 201', refused, 'joins'),
    );
    const window = await callsPerJoin(context, accounts, open.concertId, protectedConcert.concertId, BENCH_WORK);
    if (window) figures.push(window);
    figures.push(await chromiumSolve(context));
    return figures;
  },
};

interface Phase {
  readonly count: number;
  readonly seconds: number;
  readonly serverShare?: number;
  readonly latencies: number[];
  readonly refused: number;
}

async function phase(
  { env }: ScenarioContext,
  users: readonly Account[],
  request: (user: Account, i: number) => Promise<{ status: number; ms: number }>,
): Promise<Phase> {
  const run = await withCpuShares({ server: env.pids?.server }, () => mapConcurrent(users, CONCURRENCY, request));
  return {
    count: users.length,
    seconds: run.seconds,
    serverShare: run.shares.server,
    latencies: run.result.map((response) => response.ms),
    refused: run.result.filter((response) => response.status >= 300).length,
  };
}

function summary(phases: readonly Phase[]) {
  const count = phases.reduce((sum, p) => sum + p.count, 0);
  const cpuSeconds = phases.every((p) => p.serverShare !== undefined)
    ? phases.reduce((sum, p) => sum + p.serverShare! * p.seconds, 0)
    : undefined;
  const latencies = phases.flatMap((p) => p.latencies);
  return {
    cpuMs: cpuSeconds === undefined ? undefined : (cpuSeconds * 1000) / count,
    p50: median(latencies),
    note: `${count} requests, ${CONCURRENCY} at a time; p50 ${round(median(latencies))} ms, p99 ${round(percentile(latencies, 99))} ms`,
  };
}

const join = (http: HttpClient, concertId: string, user: Account, altcha?: string) =>
  http.request('POST', `/concerts/${concertId}/queue`, { token: user.token, ...(altcha ? { body: { altcha } } : {}) });

async function setChallengeWork(http: HttpClient, concertId: string, challengeWork: number): Promise<void> {
  const admin = await bearerToken(http, `bench-admin-${runTag}`, ['admin']);
  expectStatus(
    await http.request('PATCH', `/admin/concerts/${concertId}/waiting-room`, { token: admin, body: { challengeWork } }),
    'set challengeWork',
    200,
  );
  // Joins read the settings through a cache of at most a second.
  await new Promise((resolve) => setTimeout(resolve, 1100));
}

/** DynamoDB writes of one join of each kind: the same (the replay guard is in the token write). Reads depend on the admission cache's age. */
async function callsPerJoin(
  { env, http }: ScenarioContext,
  accounts: readonly Account[],
  openConcert: string,
  protectedConcert: string,
  work: number,
): Promise<Figure | undefined> {
  if (!env.calls) return undefined;
  const [plainUser, protectedUser] = [
    { userId: `${accounts[0].userId}-calls`, token: await bearerToken(http, `${accounts[0].userId}-calls`) },
    { userId: `${accounts[1].userId}-calls`, token: await bearerToken(http, `${accounts[1].userId}-calls`) },
  ];
  const response = await http.request('GET', `/concerts/${protectedConcert}/queue/challenge`, { token: protectedUser.token });
  const challenge = expectStatus(response, 'challenge', 200).body as Challenge;
  const solution = await solveChallenge({ challenge, deriveKey });
  const altcha = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
  await env.calls.start({});
  expectStatus(await join(http, openConcert, plainUser), 'plain join', 201);
  const plain = (await env.calls.take()).summary;
  await env.calls.start({});
  expectStatus(await join(http, protectedConcert, protectedUser, altcha), 'verified join', 201);
  const verified = (await env.calls.take()).summary;
  const describe = (s: typeof plain) =>
    Object.entries(s.byCommand)
      .map(([command, n]) => `${command.replace(/Command$/, '')} ${n}`)
      .join(', ');
  const writes = (s: typeof plain) =>
    Object.entries(s.byCommand).reduce((sum, [command, n]) => sum + (WRITE_COMMANDS.has(command) ? n : 0), 0);
  return reported(
    GROUP,
    'DynamoDB writes of a verified join − of a plain one',
    writes(verified) - writes(plain),
    'writes',
    `verified: ${describe(verified)}; plain: ${describe(plain)} (work ${work})`,
  );
}

/**
 * The page in Chromium: a signed-in user opens a protected concert's waiting room; the page solves
 * a challenge of DEFAULT_CHALLENGE_WORK in its Web Workers (it marks the solve as `proof-of-work`
 * with the Performance API) and joins. The median of those solves is an honest user's extra delay.
 */
async function chromiumSolve({ env, http, sizes, log }: ScenarioContext): Promise<Figure> {
  const name = `page solve in Chromium at the default challengeWork (${DEFAULT_CHALLENGE_WORK}), median`;
  if (!existsSync(CHROMIUM_PATH)) return notMeasured(GROUP, name, 's', null, `no Chromium at ${CHROMIUM_PATH}`);
  const concert = await createConcert(http, 'challenge-page', 1, 10);
  await setChallengeWork(http, concert.concertId, DEFAULT_CHALLENGE_WORK);
  const browser = await launchChromium();
  const solves: number[] = [];
  try {
    for (let i = 0; i < sizes.challengeSolves; i++) {
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        page.setDefaultTimeout(60_000);
        await page.goto(`${env.url}/`);
        await page.getByLabel('User id').fill(`page-solver-${runTag}-${i}`);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Concerts' }).waitFor();
        await page.goto(`${env.url}/#/concerts/${concert.concertId}/queue`);
        await page.getByText(/in line\./).waitFor();
        const measured = await page.evaluate(() => performance.getEntriesByName('proof-of-work').map((entry) => entry.duration));
        if (measured.length !== 1) throw new Error(`the page measured ${measured.length} solves`);
        solves.push(measured[0] / 1000);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
  }
  log(`  page solves: ${solves.map((s) => round(s)).join(', ')} s`);
  return reported(
    GROUP,
    name,
    round(median(solves)),
    's',
    `${solves.length} solves, ${round(Math.min(...solves))}–${round(Math.max(...solves))} s; workers: the page's hardwareConcurrency, at most 4`,
  );
}
