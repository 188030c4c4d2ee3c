/**
 * Figure 4: a thousand ACTIVE users try to hold the same seat at the same instant. Exactly one
 * gets it, every other one a 409, nobody a 5xx; and how long until all have their answer.
 */
import { performance } from 'node:perf_hooks';
import { HttpClient } from '../http-client';
import { judged, reported, type Figure } from '../results';
import type { Scenario } from '../scenario';
import { percentile, round } from '../stats';
import { activeUsers, createConcert, userIds } from '../world';

const GROUP = '4 contention';

export const contentionScenario: Scenario = {
  name: 'contention',
  async run({ env, http, sizes, log }) {
    const clients = sizes.contentionClients;
    const concert = await createConcert(http, 'contention', 1, 10);
    const users = await activeUsers(http, concert.concertId, userIds('rival', clients));
    log(`contention: ${clients} ACTIVE users, one seat`);

    // One connection per client, all opened before the race so it measures the holds, not the handshakes.
    const racers = new HttpClient(env.url, clients);
    try {
      await Promise.all(users.map((user) => racers.request('GET', '/health', { token: user.token })));
      const body = { concertId: concert.concertId, scheduleId: concert.scheduleIds[0], seatNumber: 1 };
      const started = performance.now();
      const answers = await Promise.all(
        users.map((user) =>
          racers.request('POST', '/reservations', { token: user.token, queueToken: user.queueToken, body }).catch(() => undefined),
        ),
      );
      const allAnswered = performance.now() - started;
      const statuses = answers.map((answer) => answer?.status ?? 0);
      const count = (predicate: (status: number) => boolean) => statuses.filter(predicate).length;
      const conflicts = answers.filter((answer) => answer?.status === 409 && answer.body?.error?.code === 'SEAT_UNAVAILABLE').length;
      const latencies = answers.flatMap((answer) => (answer ? [answer.ms] : []));
      const others = count((s) => s !== 201 && s !== 409 && !(s >= 500));
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
          others > 0 ? `${others} other answers` : undefined,
        ),
        reported(
          GROUP,
          'time until every client has its answer',
          round(allAnswered),
          'ms',
          `answer p50 ${round(percentile(latencies, 50))} ms, p99 ${round(percentile(latencies, 99))} ms`,
        ),
      ];
      return figures;
    } finally {
      racers.close();
    }
  },
};
