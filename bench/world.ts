import { randomBytes } from 'node:crypto';
import type { HttpClient, HttpResponse } from './http-client';
import { mapConcurrent, sleep } from './stats';

/** A signed-in user who is ACTIVE in a concert's waiting room. */
export interface ActiveUser {
  readonly userId: string;
  /** Bearer token. */
  readonly token: string;
  /** ACTIVE queue token. */
  readonly queueToken: string;
}

export interface BenchConcert {
  readonly concertId: string;
  readonly scheduleIds: readonly string[];
}

/** Bench data never collides with the demo data or an earlier run's. */
export const runTag = randomBytes(3).toString('hex');

/** Setup steps must succeed; a bench built on failed setup would measure nothing. */
export function expectStatus<T>(response: HttpResponse<T>, what: string, ...statuses: number[]): HttpResponse<T> {
  if (!statuses.includes(response.status)) throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  return response;
}

export async function bearerToken(http: HttpClient, userId: string, groups?: string[]): Promise<string> {
  const response = await http.request('POST', '/local/token', { body: { userId, ...(groups ? { groups } : {}) } });
  return expectStatus(response, `token for ${userId}`, 200).body.accessToken as string;
}

export async function runAdmission(http: HttpClient): Promise<void> {
  expectStatus(await http.request('POST', '/local/jobs/activate'), 'admission run', 200);
}

/** A concert of its own for a scenario: `schedules` dates, each with `seats` seats at `price`. */
export async function createConcert(
  http: HttpClient,
  name: string,
  schedules: number,
  seats: number,
  price = 50_000,
): Promise<BenchConcert> {
  const admin = await bearerToken(http, `bench-admin-${runTag}`, ['admin']);
  const firstDay = Date.now() + 30 * 24 * 3600 * 1000;
  const body = {
    title: `Bench ${name} ${runTag}`,
    venue: 'Loopback Arena',
    schedules: Array.from({ length: schedules }, (_, i) => ({
      date: new Date(firstDay + i * 24 * 3600 * 1000).toISOString().slice(0, 10),
      seats: Array.from({ length: seats }, (_, s) => ({ seatNumber: s + 1, price })),
    })),
  };
  // Right after the charge run DynamoDB Local may stay busy for a while (the ledger writer catching up), and a
  // concert of many seats is the largest write the bench makes: a 503 says to try again, so it does.
  let response = await http.request('POST', '/admin/concerts', { token: admin, body });
  for (let attempt = 1; response.status === 503 && attempt < 30; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    response = await http.request('POST', '/admin/concerts', { token: admin, body });
  }
  const created = expectStatus(response, `create concert ${name}`, 201).body;
  return { concertId: created.concertId, scheduleIds: created.schedules.map((s: { scheduleId: string }) => s.scheduleId) };
}

/** Users who joined the concert's waiting room, each with a bearer token and a queue token. */
export async function joinedUsers(
  http: HttpClient,
  concertId: string,
  userIds: readonly string[],
  concurrency = 32,
): Promise<ActiveUser[]> {
  return mapConcurrent(userIds, concurrency, async (userId) => {
    const token = await bearerToken(http, userId);
    const joined = expectStatus(await http.request('POST', `/concerts/${concertId}/queue`, { token }), `join as ${userId}`, 201, 200);
    return { userId, token, queueToken: joined.body.token as string };
  });
}

/** Users who joined and were admitted (the bench server admits up to a thousand a run). */
export async function activeUsers(http: HttpClient, concertId: string, userIds: readonly string[]): Promise<ActiveUser[]> {
  const users = await joinedUsers(http, concertId, userIds);
  for (let run = 0; run < 20; run++) {
    await runAdmission(http);
    // Every one of them, not the last: joined concurrently, their places in line are in no particular order.
    const statuses = await mapConcurrent(users, 32, async (user) => {
      const polled = await http.request('GET', `/concerts/${concertId}/queue`, { token: user.token, queueToken: user.queueToken });
      return polled.body?.status as string | undefined;
    });
    if (statuses.every((status) => status === 'ACTIVE')) return users;
    await sleep(50);
  }
  throw new Error(`users of ${concertId} were not admitted`);
}

export const userIds = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${runTag}-${i}`);
