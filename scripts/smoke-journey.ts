/**
 * The smoke test's journey: one buyer, start to finish, against any deployment of the API.
 * health → sign in → a concert of its own → its waiting room paused by the operator → join the
 * queue (solving its proof of work, when the concert asks for it, with altcha-lib) → paused, nobody
 * admitted → resumed → admitted → dates → seats → hold → release (a second seat held and given
 * back) → charge → pay (and its Idempotency-Key replay) → token spent → history. Every answer is
 * checked against the schemas the OpenAPI document is generated from. `npm run smoke` wraps it; a
 * jest test runs it against the local server. With `concertId` (a concert it did not create) it
 * leaves the concert's settings alone.
 */
import { randomBytes } from 'node:crypto';
import { solveChallenge } from 'altcha-lib';
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2';
import type { z } from 'zod';
import {
  balanceSchema,
  concertListSchema,
  createdConcertSchema,
  errorBodySchema,
  healthSchema,
  joinChallengeSchema,
  paymentListSchema,
  paymentSchema,
  queueStatusSchema,
  reservationListSchema,
  reservationSchema,
  scheduleListSchema,
  seatMapSchema,
  waitingRoomChangesSchema,
  waitingRoomSettingsSchema,
} from '../functions/http/response-schemas';
import { totpCode } from './totp';

/** How the journey signs in and gets admitted. */
export type SmokeAuth =
  /** The local server: JWTs from /local/token, admission by /local/jobs/activate. */
  | { readonly kind: 'local' }
  /** A deployed stack: a Cognito user's access token; admission by the scheduled job. */
  | {
      readonly kind: 'cognito';
      readonly accessToken: () => Promise<string>;
      readonly describe: string;
      /** An operator of the admin pool (TOTP required), to create the smoke concert; without one, --concert-id. */
      readonly adminAccessToken?: () => Promise<string>;
    };

export interface SmokeOptions {
  readonly baseUrl: string;
  readonly auth: SmokeAuth;
  /** Use this concert instead of creating one (which needs the admin group). */
  readonly concertId?: string;
  /** How long to wait for the scheduled admission; the deployed job runs every minute. */
  readonly admissionTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export interface SmokeResult {
  readonly steps: number;
  readonly concertId: string;
  readonly reservationId: string;
  readonly paymentId: string;
}

/** The first thing that went wrong, with the step it happened in. */
export class SmokeFailure extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(`${step}: ${message}`);
    this.name = 'SmokeFailure';
  }
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export interface SendOptions {
  readonly token?: string;
  readonly queueToken?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
}

/**
 * One request as the API's clients send it (bearer token, queue token, JSON body). The reply's body
 * is parsed when it is JSON, else kept as text (a web page, a gateway's error page). A lost connection throws.
 */
export async function send(url: string, method: string, options: SendOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.queueToken) headers['x-queue-token'] = options.queueToken;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, headers: response.headers, body };
}

/** A token of the local issuer (npm start, start:synth) for `userId`, in `groups` when given: POST /local/token. */
export async function localToken(baseUrl: string, userId: string, groups?: string[]): Promise<string> {
  const reply = await send(`${baseUrl}/local/token`, 'POST', { body: { userId, ...(groups ? { groups } : {}) } });
  if (reply.status !== 200) throw new Error(`POST /local/token answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return (reply.body as { accessToken: string }).accessToken;
}

const REQUEST_TIMEOUT_MS = 15_000;
const SMOKE_SEATS = 4;
const SEAT_PRICE = 10_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nonce = () => randomBytes(6).toString('hex');

export async function runSmokeJourney(options: SmokeOptions): Promise<SmokeResult> {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const log = options.log ?? ((line: string) => console.log(line));
  const admissionTimeoutMs = options.admissionTimeoutMs ?? 180_000;
  let current = 'start';
  let count = 0;

  async function step<T>(name: string, run: () => Promise<[T, string]>): Promise<T> {
    current = name;
    const started = Date.now();
    const [value, detail] = await run();
    count++;
    log(`✓ ${name.padEnd(10)} ${detail} (${Date.now() - started} ms)`);
    return value;
  }

  function fail(message: string): never {
    throw new SmokeFailure(current, message);
  }

  async function call(
    method: string,
    path: string,
    options: { token?: string; queueToken?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    try {
      const headers = { accept: 'application/json', ...options.headers };
      return await send(`${baseUrl}${path}`, method, { ...options, headers, timeoutMs: REQUEST_TIMEOUT_MS });
    } catch (error) {
      return fail(
        `${method} ${path} failed: ${error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)}`,
      );
    }
  }

  /** The body, if the status is the one expected and the body has the documented shape. */
  function expectReply<S extends z.ZodType>(reply: Reply, request: string, statuses: readonly number[], schema: S): z.output<S> {
    if (!statuses.includes(reply.status)) {
      const error = errorBodySchema.safeParse(reply.body);
      const said = error.success ? `${error.data.error.code}: ${error.data.error.message}` : JSON.stringify(reply.body)?.slice(0, 300);
      fail(`${request} answered ${reply.status} (expected ${statuses.join(' or ')}): ${said}`);
    }
    const parsed = schema.safeParse(reply.body);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
      fail(`${request} answered a body that does not match the API's schema: ${problems}`);
    }
    return parsed.data as z.output<S>;
  }

  const get = (path: string, token?: string, queueToken?: string) => call('GET', path, { token, queueToken });
  const operatorToken = (userId: string) => localToken(baseUrl, userId, ['admin']).catch((error: Error) => fail(error.message));

  try {
    await step('health', async () => {
      const health = expectReply(await get('/health'), 'GET /health', [200], healthSchema);
      return [health, `GET /health → ${health.status}`];
    });

    const userId = `smoke-${nonce()}`;
    const token = await step('sign in', async () => {
      if (options.auth.kind === 'cognito') return [await options.auth.accessToken(), options.auth.describe];
      const reply = await call('POST', '/local/token', { body: { userId } });
      if (reply.status === 404)
        fail(
          'this is not the local server (no /local/token): set SMOKE_USERNAME, SMOKE_PASSWORD and SMOKE_COGNITO_CLIENT_ID to sign in with Cognito',
        );
      if (reply.status !== 200) fail(`POST /local/token answered ${reply.status}: ${JSON.stringify(reply.body)}`);
      return [(reply.body as { accessToken: string }).accessToken, `local token for ${userId}`];
    });

    const { concertId, adminToken } = await step('concert', async (): Promise<[{ concertId: string; adminToken?: string }, string]> => {
      if (options.concertId) return [{ concertId: options.concertId }, `using ${options.concertId}`];
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const body = {
        title: `Smoke test ${new Date().toISOString()}`,
        venue: 'Smoke test hall',
        schedules: [{ date: tomorrow, seats: Array.from({ length: SMOKE_SEATS }, (_, i) => ({ seatNumber: i + 1, price: SEAT_PRICE })) }],
      };
      // Admin routes take only tokens of the operators' pool (MFA required deployed); /local/token mints one for the admin group
      // (under start:synth from the admin authorizer's pool, as the buyer's token is from the buyers' pool).
      const adminToken =
        options.auth.kind === 'cognito'
          ? options.auth.adminAccessToken
            ? await options.auth.adminAccessToken()
            : token
          : await operatorToken(`${userId}-operator`);
      const reply = await call('POST', '/admin/concerts', { token: adminToken, body });
      if (reply.status === 401 || reply.status === 403) {
        fail(
          'creating a concert needs an operator in the admin group of the admin user pool (SMOKE_ADMIN_*), or pass --concert-id of a concert with free seats',
        );
      }
      const created = expectReply(reply, 'POST /admin/concerts', [201], createdConcertSchema);
      return [{ concertId: created.concertId, adminToken }, `created ${created.concertId}: ${SMOKE_SEATS} seats on ${tomorrow}`];
    });

    await step('concerts', async () => {
      const list = expectReply(await get('/concerts'), 'GET /concerts', [200], concertListSchema);
      if (!list.concerts.some((concert) => concert.concertId === concertId)) fail(`GET /concerts does not list ${concertId}`);
      return [list, `${list.concerts.length} on sale, ${concertId} among them`];
    });

    // The operator's controls, on the smoke's own concert only: pause before anyone joins, resume after.
    const settingsPath = `/admin/concerts/${encodeURIComponent(concertId)}/waiting-room`;
    const changeSettings = async (body: unknown, revision: number) => {
      const reply = await call('PATCH', settingsPath, { token: adminToken, body, headers: { 'if-match': `"${revision}"` } });
      const settings = expectReply(reply, `PATCH ${settingsPath}`, [200], waitingRoomSettingsSchema);
      if (reply.headers.get('etag') !== `"${settings.revision}"`)
        fail(`ETag ${reply.headers.get('etag')} is not revision ${settings.revision}`);
      return settings;
    };
    if (adminToken) {
      await step('settings', async () => {
        const current = expectReply(await get(settingsPath, adminToken), `GET ${settingsPath}`, [200], waitingRoomSettingsSchema);
        if (current.revision !== 0) fail(`a new concert's settings are at revision ${current.revision}, expected 0`);
        const paused = await changeSettings({ admission: 'PAUSED' }, current.revision);
        if (paused.admission !== 'PAUSED' || paused.revision !== 1)
          fail(`expected PAUSED at revision 1, got ${paused.admission} at ${paused.revision}`);
        return [paused, `${current.admitPerMinute} a minute, ${current.maxActive} ACTIVE at most; admission PAUSED (revision 1)`];
      });
    }

    const queuePath = `/concerts/${encodeURIComponent(concertId)}/queue`;
    const queueToken = await step('join', async () => {
      let reply = await call('POST', queuePath, { token });
      let proof = '';
      // A protected concert: solve its challenge as the page does (altcha-lib, here in Node), and join with the solution.
      if (reply.status === 403 && errorBodySchema.safeParse(reply.body).data?.error.code === 'CHALLENGE_REQUIRED') {
        const challengePath = `${queuePath}/challenge`;
        const challenge = expectReply(await get(challengePath, token), `GET ${challengePath}`, [200], joinChallengeSchema);
        const solution = await solveChallenge({ challenge, deriveKey });
        if (!solution) fail('the proof-of-work challenge could not be solved in time');
        const altcha = Buffer.from(JSON.stringify({ challenge, solution })).toString('base64');
        reply = await call('POST', queuePath, { token, body: { altcha } });
        proof = ` after proof of work (${solution.counter + 1} attempts, ${Math.round(solution.time ?? 0)} ms)`;
      }
      const joined = expectReply(reply, `POST ${queuePath}`, [200, 201], queueStatusSchema);
      if (!reply.headers.get('retry-after')) fail('the join answer has no Retry-After');
      return [joined.token, `${reply.status} ${joined.status}, position ${joined.position}${proof}`];
    });

    if (adminToken) {
      await step('paused', async () => {
        // Polls read the settings through a cache of at most a second.
        const deadline = Date.now() + 10_000;
        for (;;) {
          const status = expectReply(await get(queuePath, token, queueToken), `GET ${queuePath}`, [200], queueStatusSchema);
          if (status.status !== 'WAIT') fail(`the queue token is ${status.status} while admission is paused`);
          if (status.paused) break;
          if (Date.now() >= deadline) fail('polls do not say "paused": true 10 s after admission was paused');
          await pause(250);
        }
        if (options.auth.kind !== 'local') return [undefined, 'polls say "paused": true'];
        const run = await call('POST', '/local/jobs/activate');
        if (run.status !== 200) fail(`POST /local/jobs/activate answered ${run.status}`);
        const status = expectReply(await get(queuePath, token, queueToken), `GET ${queuePath}`, [200], queueStatusSchema);
        if (status.status !== 'WAIT' || !status.paused) fail(`after an admission run while paused the token is ${status.status}`);
        return [undefined, `polls say "paused": true; an admission run admitted nobody (position ${status.position})`];
      });

      await step('resume', async () => {
        const resumed = await changeSettings({ admission: 'RUNNING' }, 1);
        const changesPath = `${settingsPath}/changes`;
        const { changes } = expectReply(await get(changesPath, adminToken), `GET ${changesPath}`, [200], waitingRoomChangesSchema);
        const kinds = changes.map((change) => `${change.revision}:${String(change.changed.admission?.to)}`);
        if (kinds.join() !== '2:RUNNING,1:PAUSED') fail(`the audit lists ${kinds.join(', ') || 'nothing'}, expected 2:RUNNING, 1:PAUSED`);
        return [resumed, `admission RUNNING (revision ${resumed.revision}); the audit lists both changes`];
      });
    }

    await step('admitted', async () => {
      const deadline = Date.now() + admissionTimeoutMs;
      for (let poll = 1; ; poll++) {
        if (options.auth.kind === 'local') {
          const run = await call('POST', '/local/jobs/activate');
          if (run.status !== 200) fail(`POST /local/jobs/activate answered ${run.status}`);
        }
        const reply = await get(queuePath, token, queueToken);
        const status = expectReply(reply, `GET ${queuePath}`, [200], queueStatusSchema);
        if (status.status === 'ACTIVE') {
          if (!status.activeUntil || Date.parse(status.activeUntil) <= Date.now())
            fail(`ACTIVE without a future activeUntil: ${status.activeUntil}`);
          return [status, `ACTIVE until ${status.activeUntil} after ${poll} poll(s)`];
        }
        if (status.status === 'EXPIRED') fail('the queue token expired before it was admitted');
        if (Date.now() >= deadline) fail(`still WAIT (position ${status.position}) after ${Math.round(admissionTimeoutMs / 1000)} s`);
        const retryAfter = Number(reply.headers.get('retry-after') ?? 5);
        await pause(Math.min(Math.max(retryAfter, 1), 10, Math.max(0, (deadline - Date.now()) / 1000)) * 1000);
      }
    });

    const scheduleId = await step('dates', async () => {
      const path = `/concerts/${encodeURIComponent(concertId)}/schedules`;
      const list = expectReply(await get(path, token, queueToken), `GET ${path}`, [200], scheduleListSchema);
      const schedule = list.schedules[0] ?? fail(`${concertId} has no date with a free seat`);
      return [schedule.scheduleId, `${list.schedules.length} date(s); ${schedule.date} has ${schedule.availableSeats} free`];
    });

    const seatsPath = `/concerts/${encodeURIComponent(concertId)}/schedules/${encodeURIComponent(scheduleId)}/seats`;
    const freeSeats = await step('seats', async () => {
      const map = expectReply(await get(seatsPath, token, queueToken), `GET ${seatsPath}`, [200], seatMapSchema);
      const free = map.seats.filter((seat) => seat.status === 'AVAILABLE');
      if (free.length === 0) fail(`no AVAILABLE seat on ${scheduleId}`);
      return [free, `${map.seats.length} seats, ${free.length} AVAILABLE`];
    });

    const reservation = await step('hold', async () => {
      // Another buyer may take a seat between the map and the hold: try the next one.
      for (const seat of freeSeats.slice(0, 5)) {
        const reply = await call('POST', '/reservations', {
          token,
          queueToken,
          body: { concertId, scheduleId, seatNumber: seat.seatNumber },
        });
        if (reply.status === 409 && errorBodySchema.safeParse(reply.body).data?.error.code === 'SEAT_UNAVAILABLE') continue;
        const held = expectReply(reply, 'POST /reservations', [201], reservationSchema);
        if (held.status !== 'HELD' || held.seatNumber !== seat.seatNumber)
          fail(`expected seat ${seat.seatNumber} HELD, got ${held.seatNumber} ${held.status}`);
        return [held, `seat ${held.seatNumber} HELD until ${held.expiresAt}, ${held.price} KRW`];
      }
      return fail('every seat tried was taken by someone else');
    });

    const released = await step('release', async () => {
      // A second seat, held and given back at once: RELEASED, and the seat on sale again.
      for (const seat of freeSeats.filter((free) => free.seatNumber !== reservation.seatNumber).slice(0, 5)) {
        const reply = await call('POST', '/reservations', {
          token,
          queueToken,
          body: { concertId, scheduleId, seatNumber: seat.seatNumber },
        });
        if (reply.status === 409 && errorBodySchema.safeParse(reply.body).data?.error.code === 'SEAT_UNAVAILABLE') continue;
        const held = expectReply(reply, 'POST /reservations', [201], reservationSchema);
        const path = `/reservations/${encodeURIComponent(held.reservationId)}`;
        const release = expectReply(await call('DELETE', path, { token }), `DELETE ${path}`, [200], reservationSchema);
        if (release.status !== 'RELEASED' || release.reservationId !== held.reservationId)
          fail(`expected ${held.reservationId} RELEASED, got ${release.reservationId} ${release.status}`);
        const again = expectReply(await call('DELETE', path, { token }), `DELETE ${path} (again)`, [200], reservationSchema);
        if (JSON.stringify(again) !== JSON.stringify(release)) fail('releasing again did not answer the same reservation');
        const map = expectReply(await get(seatsPath, token, queueToken), `GET ${seatsPath}`, [200], seatMapSchema);
        const after = map.seats.find((free) => free.seatNumber === held.seatNumber)?.status;
        if (after !== 'AVAILABLE') fail(`seat ${held.seatNumber} is ${after ?? 'missing'} after its release, expected AVAILABLE`);
        return [release, `seat ${held.seatNumber} held, then RELEASED and AVAILABLE at once; releasing again answered the same`];
      }
      return fail('no second seat could be held to release');
    });

    await step('charge', async () => {
      const before = expectReply(await get('/balance', token), 'GET /balance', [200], balanceSchema);
      const reply = await call('POST', '/balance/charge', {
        token,
        body: { amount: reservation.price },
        headers: { 'idempotency-key': `smoke-charge-${nonce()}` },
      });
      const after = expectReply(reply, 'POST /balance/charge', [200], balanceSchema);
      if (after.balance < reservation.price) fail(`balance ${after.balance} after charging ${reservation.price}`);
      return [after, `${before.balance} + ${reservation.price} → ${after.balance} KRW`];
    });

    const payment = await step('pay', async () => {
      const key = `smoke-pay-${nonce()}`;
      const body = { reservationIds: [reservation.reservationId] };
      const paid = expectReply(
        await call('POST', '/payments', { token, queueToken, body, headers: { 'idempotency-key': key } }),
        'POST /payments',
        [201],
        paymentSchema,
      );
      if (paid.amount !== reservation.price || paid.reservationIds.join() !== reservation.reservationId) {
        fail(
          `expected ${reservation.price} KRW for ${reservation.reservationId}, got ${paid.amount} KRW for ${paid.reservationIds.join(', ')}`,
        );
      }
      // The same key and body answer the first payment again, although it spent the queue token.
      const replay = await call('POST', '/payments', { token, queueToken, body, headers: { 'idempotency-key': key } });
      const replayed = expectReply(replay, 'POST /payments (replayed)', [201], paymentSchema);
      if (replayed.paymentId !== paid.paymentId || replay.headers.get('idempotent-replayed') !== 'true')
        fail('the replay with the same Idempotency-Key is not the first answer');
      return [paid, `${paid.paymentId}: ${paid.amount} KRW, balance ${paid.balance}; replay answered the same`];
    });

    await step('spent', async () => {
      const status = expectReply(await get(queuePath, token, queueToken), `GET ${queuePath}`, [200], queueStatusSchema);
      if (status.status !== 'EXPIRED') fail(`the queue token is ${status.status} after paying, expected EXPIRED`);
      return [status, 'the queue token is EXPIRED after paying'];
    });

    await step('history', async () => {
      const reservations = expectReply(await get('/reservations?limit=20', token), 'GET /reservations', [200], reservationListSchema);
      const mine = reservations.reservations.find((r) => r.reservationId === reservation.reservationId);
      if (mine?.status !== 'PAID')
        fail(`GET /reservations shows ${reservation.reservationId} as ${mine?.status ?? 'missing'}, expected PAID`);
      const given = reservations.reservations.find((r) => r.reservationId === released.reservationId);
      if (given?.status !== 'RELEASED')
        fail(`GET /reservations shows ${released.reservationId} as ${given?.status ?? 'missing'}, expected RELEASED`);
      const payments = expectReply(await get('/payments?limit=20', token), 'GET /payments', [200], paymentListSchema);
      if (!payments.payments.some((p) => p.paymentId === payment.paymentId)) fail(`GET /payments does not list ${payment.paymentId}`);
      return [undefined, `reservation PAID, the released one RELEASED, payment listed`];
    });

    return { steps: count, concertId, reservationId: reservation.reservationId, paymentId: payment.paymentId };
  } catch (error) {
    if (error instanceof SmokeFailure) throw error;
    throw new SmokeFailure(current, error instanceof Error ? error.message : String(error));
  }
}

/**
 * Signs a Cognito user in with USER_PASSWORD_AUTH (the stack's app clients allow it) and returns its
 * access token; with `totpSecret`, answers the authenticator-app step the admin pool requires.
 */
export async function cognitoAccessToken(input: {
  region: string;
  clientId: string;
  username: string;
  password: string;
  totpSecret?: string;
}): Promise<string> {
  const cognito = async (action: string, payload: unknown) => {
    const response = await fetch(`https://cognito-idp.${input.region}.amazonaws.com/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${action}` },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const answer = (await response.json().catch(() => ({}))) as {
      AuthenticationResult?: { AccessToken?: string };
      ChallengeName?: string;
      Session?: string;
      __type?: string;
      message?: string;
    };
    return { status: response.status, answer };
  };
  let { status, answer: body } = await cognito('InitiateAuth', {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: input.clientId,
    AuthParameters: { USERNAME: input.username, PASSWORD: input.password },
  });
  if (body.ChallengeName === 'SOFTWARE_TOKEN_MFA' && input.totpSecret) {
    ({ status, answer: body } = await cognito('RespondToAuthChallenge', {
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      ClientId: input.clientId,
      Session: body.Session,
      ChallengeResponses: { USERNAME: input.username, SOFTWARE_TOKEN_MFA_CODE: totpCode(input.totpSecret) },
    }));
  }
  if (body.AuthenticationResult?.AccessToken) return body.AuthenticationResult.AccessToken;
  if (body.ChallengeName === 'SOFTWARE_TOKEN_MFA')
    throw new Error("Cognito asks for an authenticator code: set SMOKE_ADMIN_TOTP_SECRET to the operator's TOTP secret");
  if (body.ChallengeName)
    throw new Error(
      `Cognito asks for ${body.ChallengeName}: give the user a permanent password (aws cognito-idp admin-set-user-password --permanent) and, in the admin pool, an authenticator`,
    );
  throw new Error(`Cognito sign-in failed (${status}): ${body.__type ?? ''} ${body.message ?? ''}`.trim());
}
