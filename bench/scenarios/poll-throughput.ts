/**
 * Figure 10 and the poll's calls: users who wait in line poll over 50 connections; their polls
 * per second against `GET /health` (no DynamoDB call) over as many connections in the same run,
 * and how many DynamoDB calls a waiting poll costs once the server is warm.
 */
import { load, type LoadResult } from '../load';
import { cpuMeter } from '../process-stats';
import { judged, notMeasured, reported, type Figure } from '../results';
import type { Scenario } from '../scenario';
import { median, round } from '../stats';
import { createConcert, expectStatus, joinedUsers, userIds } from '../world';

const GROUP = '10 poll throughput';
const CALLS = '8 rush calls';
const CONNECTIONS = 50;
const POLLERS = 200;

export const pollThroughputScenario: Scenario = {
  name: 'poll-throughput',
  async run({ env, http, sizes, log }) {
    // Nobody runs admission during the scenario, so every poller stays WAIT.
    const concert = await createConcert(http, 'poll-throughput', 1, 10);
    const pollers = await joinedUsers(http, concert.concertId, userIds('waiter', POLLERS));
    const path = `/concerts/${concert.concertId}/queue`;
    const poll = (i: number) => ({
      method: 'GET' as const,
      path,
      token: pollers[i % POLLERS].token,
      queueToken: pollers[i % POLLERS].queueToken,
    });
    const health = () => ({ method: 'GET' as const, path: '/health' });
    const run = (request: typeof poll | typeof health) =>
      load({ url: env.url, connections: CONNECTIONS, amount: 10_000_000, maxSeconds: sizes.throughputSeconds, request });
    const assertWaiting = async () => {
      const last = pollers[POLLERS - 1];
      const answer = expectStatus(
        await http.request('GET', path, { token: last.token, queueToken: last.queueToken }),
        'a waiting poll',
        200,
      );
      if (answer.body.status !== 'WAIT') throw new Error(`poll-throughput: the pollers must wait, one is ${answer.body.status}`);
    };
    await assertWaiting();
    log(
      `poll-throughput: ${POLLERS} waiting users poll over ${CONNECTIONS} connections, ${sizes.throughputRounds} x ${sizes.throughputSeconds} s, against GET /health`,
    );

    // Warm-up, then the two alternate, so a busy moment of the machine touches both alike.
    await load({ url: env.url, connections: CONNECTIONS, amount: 2 * POLLERS, maxSeconds: sizes.throughputSeconds, request: poll });
    const polls: LoadResult[] = [];
    const healths: LoadResult[] = [];
    // GET /health makes no DynamoDB call: every call of the window is a poll's.
    await env.calls?.start({});
    const serverCpu = cpuMeter(env.pids?.server);
    for (let round_ = 0; round_ < sizes.throughputRounds; round_++) {
      healths.push(await run(health));
      serverCpu.start();
      polls.push(await run(poll));
      serverCpu.stop();
    }
    const window = await env.calls?.take();
    await assertWaiting();

    const rate = (results: LoadResult[]) =>
      results.reduce((sum, r) => sum + r.samples.length, 0) /
      results.reduce((sum, r) => sum + r.samples.length / Math.max(r.requestsPerSecond, 1e-9), 0);
    const answered = polls.reduce((sum, r) => sum + r.samples.length, 0);
    const bad = polls.flatMap((r) =>
      Object.entries(r.statuses)
        .filter(([status]) => status !== '200')
        .map(([status, n]) => `${n} x ${status}`),
    );
    const pollRate = rate(polls);
    const healthRate = rate(healths);
    const note = `polls ${round(pollRate)}/s (p50 ${round(median(polls.flatMap((r) => r.samples)))} ms), GET /health ${round(healthRate)}/s (p50 ${round(median(healths.flatMap((r) => r.samples)))} ms) at ${CONNECTIONS} connections${bad.length > 0 ? `; polls answered ${bad.join(', ')}` : ''}`;
    log(`  ${note}`);
    const figures: Figure[] = [
      judged(GROUP, 'WAIT polls per second / GET /health per second', round(pollRate / healthRate), 'x', '>=', 0.6, note),
    ];
    if (window) {
      const commands = Object.entries(window.summary.byCommand)
        .map(([command, n]) => `${command.replace(/Command$/, '')} ${n}`)
        .join(', ');
      figures.push(
        judged(
          CALLS,
          'DynamoDB calls per WAIT poll in steady state',
          round(window.summary.calls / answered, 4),
          'calls',
          '<=',
          0.05,
          `${window.summary.calls} calls (${commands || 'none'}) for ${answered} polls`,
        ),
      );
    } else {
      figures.push(
        notMeasured(
          CALLS,
          'DynamoDB calls per WAIT poll in steady state',
          'calls',
          '<= 0.05',
          "the server is not the bench's, its calls cannot be counted",
        ),
      );
    }
    figures.push(reported(GROUP, 'WAIT polls per second', round(pollRate), 'req/s', `${answered} polls`));
    if (serverCpu.seconds !== undefined)
      figures.push(reported(GROUP, 'server CPU per WAIT poll', round((serverCpu.seconds * 1000) / answered, 3), 'ms'));
    return figures;
  },
};
