/**
 * Figure 9: the opening of a rush. A thousand signed-in users join one concert's waiting room at
 * the same instant; their joins per second against what DynamoDB Local does with plain PutItems
 * (50 at a time) in the same run, and what the burst cost the server and DynamoDB.
 */
import { HttpClient } from '../http-client';
import { withCpuShares } from '../process-stats';
import { rawPutThroughput } from '../raw-dynamodb';
import { judged, notMeasured, reported, type Figure } from '../results';
import type { Scenario } from '../scenario';
import { mapConcurrent, percentile, round } from '../stats';
import { bearerToken, createConcert, userIds } from '../world';

const GROUP = '9 join burst';
const CALLS = '8 rush calls';
const RAW_CONCURRENCY = 50;

export const joinBurstScenario: Scenario = {
  name: 'join-burst',
  async run({ env, http, sizes, log }) {
    const count = sizes.burstUsers;
    const concert = await createConcert(http, 'join-burst', 1, 10);
    const accounts = await mapConcurrent(userIds('burst', count), 32, async (userId) => ({
      userId,
      token: await bearerToken(http, userId),
    }));
    const raw = env.dynamo ? [await rawPutThroughput(env.dynamo, sizes.rawCalls, RAW_CONCURRENCY)] : [];
    log(`join-burst: ${count} users join ${concert.concertId} at once`);

    // One connection per user, all opened before the burst so it measures the joins, not the handshakes.
    const users = new HttpClient(env.url, count);
    const burst = await (async () => {
      try {
        await Promise.all(accounts.map(() => users.request('GET', '/health')));
        await env.calls?.start({});
        return await withCpuShares({ server: env.pids?.server, database: env.pids?.database }, () =>
          Promise.all(
            accounts.map((account) =>
              users
                .request('POST', `/concerts/${concert.concertId}/queue`, { token: account.token })
                .catch((error: NodeJS.ErrnoException) => ({ failure: error.code ?? error.message })),
            ),
          ),
        );
      } finally {
        users.close();
      }
    })();
    const window = await env.calls?.take();
    if (env.dynamo) raw.push(await rawPutThroughput(env.dynamo, sizes.rawCalls, RAW_CONCURRENCY));

    const answers = burst.result.flatMap((result) => ('failure' in result ? [] : [result]));
    // A request with no answer is counted by why: the client's error (a reset connection, a timeout).
    const statuses = new Map<string, number>();
    for (const result of burst.result) {
      const status = 'failure' in result ? `no answer (${result.failure})` : String(result.status);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    const statusNote = [...statuses].map(([status, n]) => `${n} x ${status}`).join(', ');
    const joinsPerSecond = count / burst.seconds;
    const latencies = answers.map((answer) => answer.ms);
    const summary = `${count} joins settled in ${round(burst.seconds, 2)} s (${round(joinsPerSecond, 1)} joins/s; answer p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms): ${statusNote}`;
    log(`  ${summary}`);

    const figures: Figure[] = [reported(GROUP, `joins per second, ${count} users at once`, round(joinsPerSecond, 1), 'joins/s', summary)];
    if (raw.length > 0) {
      const rawPerSecond = raw.reduce((sum, value) => sum + value, 0) / raw.length;
      figures.push(
        judged(
          GROUP,
          'burst joins per second / raw PutItems per second',
          round(joinsPerSecond / rawPerSecond),
          'x',
          '>=',
          0.4,
          `raw conditional PutItem ${round(rawPerSecond)}/s at ${RAW_CONCURRENCY} concurrent (mean of ${raw.map((r) => round(r)).join(' and ')}, before and after the burst)`,
        ),
      );
    } else {
      figures.push(
        notMeasured(GROUP, 'burst joins per second / raw PutItems per second', 'x', '>= 0.4', 'needs DynamoDB access for the raw PutItems'),
      );
    }
    figures.push(reported(GROUP, 'joins not answered 201', count - (statuses.get('201') ?? 0), 'joins', statusNote));
    for (const [name, share] of Object.entries(burst.shares)) {
      if (share === undefined) continue;
      const who = name === 'server' ? 'server' : 'DynamoDB Local';
      figures.push(
        reported(
          GROUP,
          `${who} CPU per join`,
          round((share * burst.seconds * 1000) / count, 2),
          'ms',
          `${round(share * 100, 0)} % of a core during the burst`,
        ),
      );
    }
    if (window) {
      const byCommand = Object.entries(window.summary.byCommand).map(
        ([command, n]) => `${command.replace(/Command$/, '')} ${round(n / count, 2)}`,
      );
      figures.push(
        reported(
          CALLS,
          'DynamoDB calls per join in the burst',
          round(window.summary.calls / count, 2),
          'calls',
          `${byCommand.join(', ')}; ${window.summary.errors} failed (conditions included)`,
        ),
      );
    }
    return figures;
  },
};
