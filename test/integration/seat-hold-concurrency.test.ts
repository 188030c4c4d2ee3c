import { activeUsers, type ActiveUser } from '../support/active-users';
import { startLocalApi, type LocalApi } from '../support/local-api';

let api: LocalApi;
beforeAll(async () => {
  api = await startLocalApi();
});
afterAll(() => api.stop());

// Making 100 users ACTIVE over HTTP takes most of the time; give a loaded 2-core machine room.
jest.setTimeout(120_000);

const hold = (user: ActiveUser, scheduleId: string, seatNumber: number) =>
  api.request('POST', '/reservations', {
    token: user.token,
    queueToken: user.queueToken,
    body: { concertId: 'neon-harbor', scheduleId, seatNumber },
  });
const outcome = (response: { status: number; body: { error?: { code: string } } }) =>
  response.status === 201 ? '201' : `${response.status} ${response.body.error?.code}`;
const tally = (outcomes: string[]) => outcomes.reduce<Record<string, number>>((counts, o) => ({ ...counts, [o]: (counts[o] ?? 0) + 1 }), {});

test('100 simultaneous holds of one seat by 100 ACTIVE users: exactly one 201 and 99 × 409 SEAT_UNAVAILABLE', async () => {
  const users = await activeUsers(api, 'neon-harbor', Array.from({ length: 100 }, (_, i) => `fan-${i}`));
  const responses = await Promise.all(users.map((user) => hold(user, 'neon-harbor-1', 7)));
  expect(tally(responses.map(outcome))).toEqual({ '201': 1, '409 SEAT_UNAVAILABLE': 99 });

  const winner = users[responses.findIndex((response) => response.status === 201)];
  const seatMap = await api.request('GET', '/concerts/neon-harbor/schedules/neon-harbor-1/seats', { token: winner.token, queueToken: winner.queueToken });
  expect(seatMap.body.seats[6]).toEqual({ seatNumber: 7, price: 143_000, status: 'HELD' });
  // Exactly one reservation was written, the winner's.
  const lists = await Promise.all(users.map((user) => api.request('GET', '/reservations', { token: user.token })));
  expect(lists.map((list) => list.body.reservations.length).reduce((a, b) => a + b, 0)).toBe(1);
  expect(lists[users.indexOf(winner)].body.reservations[0]).toMatchObject({ seatNumber: 7, status: 'HELD' });
});

test('5 simultaneous holds of different seats by one user, for 5 users at once: each user gets exactly 4', async () => {
  const users = await activeUsers(api, 'neon-harbor', ['five-0', 'five-1', 'five-2', 'five-3', 'five-4']);
  const perUser = await Promise.all(
    users.map((user, u) => Promise.all([1, 2, 3, 4, 5].map((i) => hold(user, 'neon-harbor-2', u * 5 + i)))),
  );
  for (const responses of perUser) {
    expect(tally(responses.map(outcome))).toEqual({ '201': 4, '409 HOLD_LIMIT_REACHED': 1 });
  }
  const lists = await Promise.all(users.map((user) => api.request('GET', '/reservations', { token: user.token })));
  expect(lists.map((list) => list.body.reservations.length)).toEqual([4, 4, 4, 4, 4]);
});
