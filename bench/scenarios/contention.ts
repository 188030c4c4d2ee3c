/**
 * Figures 4 and 11, and the losers' calls: many ACTIVE users try to hold the same seat at the same
 * instant. Exactly one gets it, every other one a 409, nobody a 5xx; how long until all have their
 * answer, what each loser cost DynamoDB, and how a 200-user race's settle time compares with
 * DynamoDB Local deciding 200 conditional writes on one item in the same run.
 */
import { performance } from 'node:perf_hooks';
import { costPerLoser, WRITE_COMMANDS } from '../dynamodb-calls';
import { HttpClient } from '../http-client';
import { withCpuShares } from '../process-stats';
import { rawRaceSettleMs } from '../raw-dynamodb';
import { judged, notMeasured, reported, type Figure } from '../results';
import type { Scenario } from '../scenario';
import { median, percentile, round } from '../stats';
import { activeUsers, createConcert, expectStatus, userIds, type ActiveUser, type BenchConcert } from '../world';

const GROUP = '4 contention';
const CALLS = '8 rush calls';
const RACE = '11 seat race';
/** The size of the races timed against raw conditional writes. */
const RACE_SIZE = 200;
const SEATS = 10;
/** Seats of the concert: the main race takes 1, the timed races the next ones, these two the lone holds. */
const WARM_UP_SEAT = SEATS - 1;
const LONE_SEAT = SEATS;

export const contentionScenario: Scenario = {
  name: 'contention',
  async run({ env, http, sizes, log }) {
    const clients = sizes.contentionClients;
    if (1 + sizes.raceRuns >= WARM_UP_SEAT) throw new Error('not enough seats for the races');
    const concert = await createConcert(http, 'contention', 1, SEATS);
    const [warmUp, lone, ...users] = await activeUsers(http, concert.concertId, userIds('rival', clients + 2));
    log(`contention: ${clients} ACTIVE users, one seat; then ${sizes.raceRuns} races of ${RACE_SIZE} against raw conditional writes`);

    // One connection per client, all opened before the race so it measures the holds, not the handshakes.
    const racers = new HttpClient(env.url, clients);
    try {
      await Promise.all(users.map((user) => racers.request('GET', '/health', { token: user.token })));
      // What the winner's hold costs: the same hold, uncontested, once the server is warm.
      expectStatus(await hold(racers, warmUp, concert, WARM_UP_SEAT), 'warm-up hold', 201);
      await env.calls?.start({ capacity: true });
      expectStatus(await hold(racers, lone, concert, LONE_SEAT), 'an uncontested hold', 201);
      const loneWindow = await env.calls?.take();

      await env.calls?.start({ capacity: true });
      const main = await race(racers, users, concert, 1);
      const raceWindow = await env.calls?.take();

      const statuses = main.answers.map((answer) => answer?.status ?? 0);
      const count = (predicate: (status: number) => boolean) => statuses.filter(predicate).length;
      const conflicts = main.answers.filter((answer) => answer?.status === 409 && answer.body?.error?.code === 'SEAT_UNAVAILABLE').length;
      const latencies = main.answers.flatMap((answer) => (answer ? [answer.ms] : []));
      // Answers neither won nor lost the seat, by status and code, so a failed figure says what they were.
      const others = new Map<string, number>();
      for (const answer of main.answers) {
        if (!answer || answer.status === 201 || (answer.status === 409 && answer.body?.error?.code === 'SEAT_UNAVAILABLE')) continue;
        const kind = `${answer.status} ${answer.body?.error?.code ?? ''}`.trim();
        others.set(kind, (others.get(kind) ?? 0) + 1);
      }
      const figures: Figure[] = [
        judged(
          GROUP,
          `holds that succeeded, of ${clients}`,
          count((s) => s === 201),
          'holds',
          '==',
          1,
        ),
        judged(GROUP, '409 SEAT_UNAVAILABLE', conflicts, 'answers', '==', clients - 1),
        judged(
          GROUP,
          '5xx answers',
          count((s) => s >= 500 || s === 0),
          'answers',
          '==',
          0,
          others.size > 0 ? `other answers: ${[...others].map(([kind, n]) => `${n} x ${kind}`).join(', ')}` : undefined,
        ),
        reported(
          GROUP,
          'time until every client has its answer',
          round(main.ms),
          'ms',
          `answer p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms`,
        ),
      ];

      if (raceWindow && loneWindow) {
        const losers = clients - 1;
        const cost = costPerLoser(raceWindow.summary, loneWindow.summary, losers);
        const commands = (summary: typeof raceWindow.summary) =>
          Object.entries(summary.byCommand)
            .map(
              ([command, n]) =>
                `${command.replace(/Command$/, '')} ${n}${summary.failedByCommand[command] ? ` (${summary.failedByCommand[command]} failed)` : ''}`,
            )
            .join(', ');
        const failedWrites = Object.entries(raceWindow.summary.failedByCommand).reduce(
          (sum, [command, n]) => sum + (WRITE_COMMANDS.has(command) ? n : 0),
          0,
        );
        const note = `race of ${clients}: ${commands(raceWindow.summary)}; the uncontested hold: ${commands(loneWindow.summary)}`;
        figures.push(
          judged(
            CALLS,
            `transactions per loser of a ${clients}-user race for one seat`,
            round(cost.transactions, 3),
            'transactions',
            '==',
            0,
            note,
          ),
          judged(CALLS, `writes per loser of a ${clients}-user race`, round(cost.writes, 3), 'writes', '<=', 1),
          reported(CALLS, `DynamoDB calls per loser of a ${clients}-user race`, round(cost.calls, 2), 'calls'),
          reported(
            CALLS,
            `WCU per loser of a ${clients}-user race`,
            round(cost.writeCapacity, 3),
            'WCU',
            `as DynamoDB Local reports it: a write that fails its condition reports none (${failedWrites} failed writes in the race), though DynamoDB bills it`,
          ),
        );
      } else {
        figures.push(
          notMeasured(
            CALLS,
            `writes per loser of a ${clients}-user race`,
            'writes',
            '<= 1',
            "the server is not the bench's, its calls cannot be counted",
          ),
        );
      }

      // 200-user races, each with raw conditional writes just before it, so a busy moment touches both alike.
      if (env.dynamo) await rawRaceSettleMs(env.dynamo, RACE_SIZE); // opens the raw client's connections
      const settle: number[] = [];
      const raw: number[] = [];
      const won: number[] = [];
      /** When the winner had its answer, from the race's start: its commit may be what the race waits for. */
      const winnerMs: number[] = [];
      // CPU seconds each process spent in the timed races: the server's is per racer what its one thread can do.
      const cpu: Record<string, number | undefined> = {};
      let rawDatabaseCpu: number | undefined = 0;
      for (let i = 0; i < sizes.raceRuns; i++) {
        if (env.dynamo) {
          const dynamo = env.dynamo;
          const rawRace = await withCpuShares({ database: env.pids?.database }, () => rawRaceSettleMs(dynamo, RACE_SIZE));
          raw.push(rawRace.result.ms);
          const share = rawRace.shares.database;
          rawDatabaseCpu = share === undefined || rawDatabaseCpu === undefined ? undefined : rawDatabaseCpu + share * rawRace.seconds;
        }
        // Other users each time where there are enough, so nobody reaches the hold limit.
        const start = (i * RACE_SIZE) % users.length;
        const measured = await withCpuShares({ ...env.pids }, () => race(racers, users.slice(start, start + RACE_SIZE), concert, 2 + i));
        const timed = measured.result;
        for (const [name, share] of Object.entries(measured.shares)) {
          cpu[name] = share === undefined ? undefined : (cpu[name] ?? 0) + share * measured.seconds;
        }
        won.push(timed.answers.filter((answer) => answer?.status === 201).length);
        const winner = timed.answers.find((answer) => answer?.status === 201);
        if (winner) winnerMs.push(winner.ms);
        settle.push(timed.ms);
      }
      const raceNote =
        `${RACE_SIZE}-user races settled in ${settle.map((ms) => round(ms, 0)).join(', ')} ms, won ${won.join(', ')} time(s)` +
        ` (the winner answered at ${winnerMs.map((ms) => round(ms, 0)).join(', ')} ms)`;
      if (raw.length > 0) {
        figures.push(
          judged(
            RACE,
            `${RACE_SIZE}-user race settle time / ${RACE_SIZE} raw conditional UpdateItems on one item`,
            round(median(settle) / median(raw)),
            'x',
            '<=',
            2,
            `${raceNote}; raw in ${raw.map((ms) => round(ms, 0)).join(', ')} ms (medians compared)`,
          ),
        );
      } else {
        figures.push(
          notMeasured(
            RACE,
            `${RACE_SIZE}-user race settle time / ${RACE_SIZE} raw conditional UpdateItems on one item`,
            'x',
            '<= 2',
            'needs DynamoDB access for the raw writes',
          ),
        );
      }
      figures.push(reported(RACE, `${RACE_SIZE}-user race settle time`, round(median(settle)), 'ms', raceNote));
      for (const [name, seconds] of Object.entries(cpu)) {
        if (seconds === undefined) continue;
        const who = name === 'server' ? 'server' : 'DynamoDB Local';
        const racersTimed = RACE_SIZE * sizes.raceRuns;
        figures.push(reported(RACE, `${who} CPU per racer of a ${RACE_SIZE}-user race`, round((seconds * 1000) / racersTimed, 2), 'ms'));
      }
      if (raw.length > 0 && rawDatabaseCpu !== undefined) {
        const perWrite = (rawDatabaseCpu * 1000) / (RACE_SIZE * raw.length);
        figures.push(reported(RACE, 'DynamoDB Local CPU per raw conditional UpdateItem of those races', round(perWrite, 2), 'ms'));
      }
      return figures;
    } finally {
      racers.close();
    }
  },
};

function hold(http: HttpClient, user: ActiveUser, concert: BenchConcert, seatNumber: number) {
  const body = { concertId: concert.concertId, scheduleId: concert.scheduleIds[0], seatNumber };
  return http.request('POST', '/reservations', { token: user.token, queueToken: user.queueToken, body });
}

/** Every user holds `seatNumber` at once: their answers, and ms until the last one came. */
async function race(http: HttpClient, users: readonly ActiveUser[], concert: BenchConcert, seatNumber: number) {
  const started = performance.now();
  const answers = await Promise.all(users.map((user) => hold(http, user, concert, seatNumber).catch(() => undefined)));
  return { answers, ms: performance.now() - started };
}
