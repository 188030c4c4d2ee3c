/**
 * Figure 12: 50 users charge their wallets over 50 connections (no Idempotency-Key); their charges
 * per second against raw `UpdateItem ADD` on 50 items, 50 at a time, in the same run.
 */
import { load, type LoadResult } from '../load';
import { cpuMeter } from '../process-stats';
import { rawAddThroughput } from '../raw-dynamodb';
import { judged, notMeasured, reported, type Figure } from '../results';
import type { Scenario } from '../scenario';
import { mapConcurrent, median, round } from '../stats';
import { bearerToken, expectStatus, userIds } from '../world';

const GROUP = '12 charge throughput';
const USERS = 50;

export const chargeThroughputScenario: Scenario = {
  name: 'charge-throughput',
  async run({ env, http, sizes, log }) {
    const users = await mapConcurrent(userIds('charger', USERS), 32, async (userId) => ({
      userId,
      token: await bearerToken(http, userId),
    }));
    const charge = (i: number) => ({
      method: 'POST' as const,
      path: '/balance/charge',
      token: users[i % USERS].token,
      body: { amount: 1 },
    });
    // Each wallet exists and the server is warm before anything is timed.
    await mapConcurrent(users, 32, async (user) =>
      expectStatus(await http.request('POST', '/balance/charge', { token: user.token, body: { amount: 1 } }), 'a first charge', 200),
    );
    if (env.dynamo) await rawAddThroughput(env.dynamo, USERS * 4, USERS);
    log(
      `charge-throughput: ${USERS} users charge over ${USERS} connections, ${sizes.throughputRounds} x ${sizes.throughputSeconds} s, against raw UpdateItem ADD`,
    );

    // The two alternate, so a busy moment of the machine touches both alike.
    const charges: LoadResult[] = [];
    const raw: number[] = [];
    const serverCpu = cpuMeter(env.pids?.server);
    // DynamoDB Local's CPU, apart for the charges and the raw ADDs: what each costs the database.
    const databaseCpu = cpuMeter(env.pids?.database);
    const rawDatabaseCpu = cpuMeter(env.pids?.database);
    await env.calls?.start({});
    for (let round_ = 0; round_ < sizes.throughputRounds; round_++) {
      if (env.dynamo) {
        rawDatabaseCpu.start();
        raw.push(await rawAddThroughput(env.dynamo, sizes.rawCalls, USERS));
        rawDatabaseCpu.stop();
      }
      serverCpu.start();
      databaseCpu.start();
      charges.push(
        await load({ url: env.url, connections: USERS, amount: 10_000_000, maxSeconds: sizes.throughputSeconds, request: charge }),
      );
      serverCpu.stop();
      databaseCpu.stop();
    }
    // The last round stops with a charge in flight on each connection: its call is counted once answered.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const window = await env.calls?.take();

    const answered = charges.reduce((sum, r) => sum + r.samples.length, 0);
    const seconds = charges.reduce((sum, r) => sum + r.samples.length / Math.max(r.requestsPerSecond, 1e-9), 0);
    const rate = answered / seconds;
    const bad = charges.flatMap((r) =>
      Object.entries(r.statuses)
        .filter(([status]) => status !== '200')
        .map(([status, n]) => `${n} x ${status}`),
    );
    const note = `charges ${round(rate)}/s (p50 ${round(median(charges.flatMap((r) => r.samples)))} ms) at ${USERS} connections${bad.length > 0 ? `; answered ${bad.join(', ')}` : ''}`;
    log(`  ${note}`);
    const figures: Figure[] = [];
    if (raw.length > 0) {
      const rawRate = raw.reduce((sum, value) => sum + value, 0) / raw.length;
      figures.push(
        judged(
          GROUP,
          'charges per second / raw UpdateItem ADDs per second',
          round(rate / rawRate),
          'x',
          '>=',
          0.5,
          `${note}; raw ADD ${round(rawRate)}/s at ${USERS} concurrent`,
        ),
      );
    } else {
      figures.push(
        notMeasured(
          GROUP,
          'charges per second / raw UpdateItem ADDs per second',
          'x',
          '>= 0.5',
          'needs DynamoDB access for the raw writes',
        ),
      );
    }
    figures.push(reported(GROUP, `charges per second, ${USERS} users`, round(rate), 'req/s', note));
    if (serverCpu.seconds !== undefined)
      figures.push(reported(GROUP, 'server CPU per charge', round((serverCpu.seconds * 1000) / answered, 2), 'ms'));
    if (databaseCpu.seconds !== undefined)
      figures.push(
        reported(
          GROUP,
          'DynamoDB Local CPU per charge',
          round((databaseCpu.seconds * 1000) / answered, 2),
          'ms',
          // The stream's write-out runs during the rounds too (its ledger items, its clearing), so it is counted here.
          rawDatabaseCpu.seconds !== undefined && raw.length > 0
            ? `raw UpdateItem ADD: ${round((rawDatabaseCpu.seconds * 1000) / (raw.length * sizes.rawCalls), 2)} ms each`
            : undefined,
        ),
      );
    if (window) {
      // Per charge sent: those in flight when a round stops made their calls, unanswered.
      const sent = charges.reduce((sum, r) => sum + r.sent, 0);
      const commands = Object.entries(window.summary.byCommand)
        .map(([command, n]) => `${command.replace(/Command$/, '')} ${round(n / sent, 2)}`)
        .join(', ');
      figures.push(
        reported(
          GROUP,
          'DynamoDB calls per charge under load',
          round(window.summary.calls / sent, 2),
          'calls',
          `${commands}; ${sent} charges sent`,
        ),
      );
    }
    return figures;
  },
};
