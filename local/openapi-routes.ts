/**
 * What the OpenAPI document says about each route of the route table, beyond what the table
 * itself says (method, path, auth, body limit, Idempotency-Key): the words, and the zod schemas
 * the handler validates with and answers in. Keyed by route key, so the compiler refuses a route
 * without an entry. Errors every route of its kind can answer (401, the ACTIVE guard's 403s, 413,
 * 415, 429, 500, 503, …) are derived from the route table in openapi-document.ts; only the codes
 * a handler itself decides on are listed here.
 */
import type { z } from 'zod';
import type * as zm from 'zod/mini';
import { createConcertBodySchema, schedulePathSchema } from '../functions/http/catalogue-schemas';
import { revocationBodySchema } from '../functions/http/queue-schemas';
import { QUEUE_STATE_CACHE_CONTROL } from '../functions/queue/queue-state';
import { holdSeatBodySchema, listReservationsQuerySchema, reservationPathSchema } from '../functions/http/reservation-schemas';
import {
  balanceSchema,
  concertListSchema,
  createdConcertSchema,
  healthSchema,
  joinChallengeSchema,
  paymentListSchema,
  paymentSchema,
  queueStateSchema,
  queueStatusSchema,
  reservationListSchema,
  reservationSchema,
  revocationSchema,
  scheduleListSchema,
  seatMapSchema,
  waitingRoomChangesSchema,
  waitingRoomSettingsSchema,
  waitingRoomStatsSchema,
} from '../functions/http/response-schemas';
import type { Route } from '../functions/http/route-table';
import { joinBodySchema } from '../functions/http/queue-schemas';
import { concertPathSchema, emptyBodySchema } from '../functions/http/schemas';
import { chargeBodySchema, listPaymentsQuerySchema, paymentBodySchema } from '../functions/http/wallet-schemas';
import { waitingRoomPatchSchema } from '../functions/http/waiting-room-schemas';
import type { ErrorCode } from '../functions/shared/errors';

/** A code a handler answers, and when. */
export type ErrorUse = readonly [code: ErrorCode, when: string];

export interface RouteDoc {
  readonly summary: string;
  readonly description?: string;
  /** The request's schemas, as the handler parses with them (zod/mini). */
  readonly pathParameters?: zm.ZodMiniObject;
  readonly query?: zm.ZodMiniObject;
  /** The body schema; `optional` routes accept no body at all. */
  readonly body?: { readonly schema: zm.ZodMiniType; readonly optional?: boolean };
  /** Needs `X-Queue-Token` although the route is not ACTIVE (the polling call). */
  readonly queueToken?: boolean;
  /** Answers `Retry-After` on success: when to poll next. */
  readonly retryAfter?: boolean;
  /** Takes an optional `If-Match: "<revision>"`. */
  readonly ifMatch?: boolean;
  /** Answers this `Cache-Control` on success (a public answer caches may share). */
  readonly cacheControl?: string;
  /** Answers `ETag: "<revision>"` on success. */
  readonly etag?: boolean;
  readonly responses: readonly { readonly status: number; readonly description: string; readonly schema: z.ZodType }[];
  /** Codes the handler itself decides on, beyond those of every route of its kind. */
  readonly errors?: readonly ErrorUse[];
  /** Answers without reading the database (no 503). */
  readonly noDatabase?: boolean;
  /** The tag it is listed under, when not its handler group's (an admin route of the waiting room). */
  readonly tag?: 'queue';
}

/** `GET /health`, … : one key per row of the route table. */
export type RowKey<R = Route> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;

export const routeDocs: Record<RowKey, RouteDoc> = {
  'GET /health': {
    summary: 'Liveness',
    responses: [{ status: 200, description: 'the service answers', schema: healthSchema }],
    noDatabase: true,
  },
  'GET /concerts': {
    summary: 'Concerts on sale',
    description: 'Concerts with a date today or later (UTC).',
    responses: [{ status: 200, description: 'the concerts', schema: concertListSchema }],
  },
  'POST /concerts/{concertId}/queue': {
    summary: 'Join the waiting room',
    description:
      'Takes a place in the concert\'s line (`NONE → WAIT`). Joining again while your token is `WAIT` or `ACTIVE` answers 200 with the same token, even while joining is closed or not open yet. Send no body, or `{}`. While an admin has paused admission the answer carries `"paused": true`. A concert whose `challengeWork` is above 0 asks for proof of work: send `{"altcha":"<base64 of {challenge, solution}>"}` with a solved challenge of `GET /concerts/{concertId}/queue/challenge` (each solution opens the door once); a user who already holds a live token gets it again without one.',
    pathParameters: concertPathSchema,
    body: { schema: joinBodySchema, optional: true },
    retryAfter: true,
    responses: [
      { status: 201, description: 'a new queue token, `WAIT`', schema: queueStatusSchema },
      { status: 200, description: 'you already had a live token for this concert: the same one again', schema: queueStatusSchema },
    ],
    errors: [
      ['NOT_FOUND', 'no such concert'],
      ['QUEUE_CLOSED', 'joining is closed (an admin closed it) and you hold no live token'],
      ['QUEUE_NOT_OPEN', 'before the waiting room opens (`preQueueOpensAt`); `Retry-After` says in how many seconds'],
      ['QUEUE_BANNED', 'an admin banned you from this concert'],
      ['CHALLENGE_REQUIRED', 'the concert asks for proof of work and the join carries none'],
      ['CHALLENGE_FAILED', "the proof of work is wrong, expired, used before, another user's or another concert's"],
    ],
  },
  'GET /concerts/{concertId}/queue/challenge': {
    summary: 'A proof-of-work challenge for joining',
    description:
      "An ALTCHA challenge (altcha-lib's current format, PBKDF2-SHA-256), signed, bound to you and this concert, valid for 5 minutes. Its work follows the concert's `challengeWork`: about that many attempts of `cost` PBKDF2 iterations each. Solve it (the altcha widget, or altcha-lib's `solveChallenge`) and join with `{\"altcha\": base64(JSON {challenge, solution})}`. Answered for every concert, also one that asks no work.",
    pathParameters: concertPathSchema,
    responses: [{ status: 200, description: 'the challenge', schema: joinChallengeSchema }],
    errors: [['NOT_FOUND', 'no such concert']],
  },
  'GET /concerts/{concertId}/queue': {
    summary: 'Poll your place',
    description:
      'Your token\'s status, position and estimated wait. `Retry-After` says when to poll again. While an admin has paused admission the answer carries `"paused": true` (nobody is admitted until it resumes).',
    pathParameters: concertPathSchema,
    queueToken: true,
    retryAfter: true,
    responses: [{ status: 200, description: "your token's status now", schema: queueStatusSchema }],
    errors: [
      ['QUEUE_TOKEN_REQUIRED', 'no X-Queue-Token'],
      ['QUEUE_TOKEN_INVALID', 'an unknown token, or one of another user or another concert'],
    ],
  },
  'GET /concerts/{concertId}/queue/state': {
    summary: "The line's public state",
    description:
      "What a waiting client needs to work out its own place, wait and polling pace from its queue token, without signing in: the admission watermark, the sharded line's state, whether admission is paused, the opening and its pre-queue, and the admission rate. The token's payload (the third dot-separated part, base64url JSON `{c: concertId, u: userId, n: number, s?: shard, q?: 1 for a pre-queue token}`) is not secret. A token numbered `n` waits at `n − admittedSeq` plus the pre-queue places left; a pre-queue token learns its shuffled place from one authenticated poll after the opening (its position plus `preQueue.admitted`). The same for everyone and cached for a second (`Cache-Control: public, max-age=1`); nothing in it is about one user. Confirm admission with `GET /concerts/{concertId}/queue`, which settles any difference.",
    pathParameters: concertPathSchema,
    cacheControl: QUEUE_STATE_CACHE_CONTROL,
    tag: 'queue',
    responses: [{ status: 200, description: "the line's state now (at most a second old)", schema: queueStateSchema }],
    errors: [['NOT_FOUND', 'no such concert']],
  },
  'DELETE /concerts/{concertId}/queue': {
    summary: 'Give your place back',
    description:
      'Ends your token now: `ACTIVE`, your turn ends and the place goes to the next user at the next admission run; `WAIT`, you leave the line (polls of the token read `EXPIRED`, and admission passes over the place). A token already `EXPIRED` (left, paid, revoked or run out) answers the same and changes nothing. You may join again, at the back. Send no body, or `{}`.',
    pathParameters: concertPathSchema,
    body: { schema: emptyBodySchema, optional: true },
    queueToken: true,
    retryAfter: true,
    responses: [{ status: 200, description: 'your token, now `EXPIRED`', schema: queueStatusSchema }],
    errors: [
      ['QUEUE_TOKEN_REQUIRED', 'no X-Queue-Token'],
      ['QUEUE_TOKEN_INVALID', 'an unknown token, one of another user or another concert, or one a later join replaced'],
    ],
  },
  'GET /concerts/{concertId}/schedules': {
    summary: 'Dates with seats left',
    description: "The concert's dates from today on that still have at least one available seat, by date.",
    pathParameters: concertPathSchema,
    responses: [{ status: 200, description: 'the dates', schema: scheduleListSchema }],
  },
  'GET /concerts/{concertId}/schedules/{scheduleId}/seats': {
    summary: 'Seat map of a date',
    description: 'Every seat of the date with its price and status; a hold past its `expiresAt` shows `AVAILABLE`.',
    pathParameters: schedulePathSchema,
    responses: [{ status: 200, description: 'the seat map, by seat number', schema: seatMapSchema }],
    errors: [['NOT_FOUND', 'no such date of this concert']],
  },
  'POST /reservations': {
    summary: 'Hold a seat',
    description:
      'Holds the seat for `HOLD_SECONDS` (300 by default): until then nobody else can hold or buy it. At most 4 live holds per user per date.',
    body: { schema: holdSeatBodySchema },
    responses: [{ status: 201, description: 'the hold, `HELD` until `expiresAt`', schema: reservationSchema }],
    errors: [
      ['NOT_FOUND', 'no such seat of this concert and date'],
      ['SEAT_UNAVAILABLE', 'the seat is held (by anyone, you included) or sold, or its date has passed'],
      ['HOLD_LIMIT_REACHED', 'you already hold 4 seats of this date'],
    ],
  },
  'GET /reservations': {
    summary: 'Your reservations',
    description: 'Your holds and purchases, newest first, a page at a time; statuses as of now.',
    query: listReservationsQuerySchema,
    responses: [{ status: 200, description: 'a page of reservations', schema: reservationListSchema }],
  },
  'DELETE /reservations/{reservationId}': {
    summary: 'Release a hold',
    description:
      'Gives a live hold back at once: the reservation reads `RELEASED`, the seat `AVAILABLE`, and the hold no longer counts toward your 4. Releasing one already `RELEASED` answers it again (200), so a retried request gets its first answer. Of a release and a payment racing for one reservation exactly one succeeds. Send no body, or `{}`.',
    pathParameters: reservationPathSchema,
    body: { schema: emptyBodySchema, optional: true },
    responses: [{ status: 200, description: 'the reservation, `RELEASED`', schema: reservationSchema }],
    errors: [
      ['NOT_FOUND', 'no such reservation of yours'],
      ['ALREADY_PAID', 'the reservation has been paid'],
      ['RESERVATION_EXPIRED', 'the hold has already ended'],
    ],
  },
  'GET /balance': {
    summary: 'Your balance',
    responses: [{ status: 200, description: 'your balance (0 for a new user)', schema: balanceSchema }],
  },
  'POST /balance/charge': {
    summary: 'Charge your balance',
    description: 'Adds `amount` to your balance. Concurrent charges all count.',
    body: { schema: chargeBodySchema },
    responses: [{ status: 200, description: 'the balance after the charge', schema: balanceSchema }],
    errors: [['BALANCE_LIMIT_EXCEEDED', 'the balance would exceed 100,000,000 KRW']],
  },
  'POST /payments': {
    summary: 'Pay for held seats',
    description:
      "Pays 1–4 of your held reservations of this queue token's concert at once, all or nothing: the debit, the payment record, seats `SOLD`, reservations `PAID` and the queue token `EXPIRED`.",
    body: { schema: paymentBodySchema },
    responses: [{ status: 201, description: 'the payment', schema: paymentSchema }],
    errors: [
      ['NOT_FOUND', 'a reservation is not one of yours for this concert'],
      ['ALREADY_PAID', 'a reservation has already been paid'],
      ['RESERVATION_EXPIRED', 'a hold has ended'],
      ['INSUFFICIENT_BALANCE', 'the balance does not cover the total'],
    ],
  },
  'GET /payments': {
    summary: 'Your payments',
    description: 'Your payment history, newest first, a page at a time.',
    query: listPaymentsQuerySchema,
    responses: [{ status: 200, description: 'a page of payments', schema: paymentListSchema }],
  },
  'POST /admin/concerts': {
    summary: 'Create a concert',
    description: 'Creates a concert with its dates and seats (up to 1,000 seats a date), all checked before anything is written.',
    body: { schema: createConcertBodySchema },
    responses: [{ status: 201, description: 'the new concert and the ids of its dates', schema: createdConcertSchema }],
  },
  'POST /admin/concerts/{concertId}/queue/revocations': {
    summary: "Revoke a user's queue token",
    description:
      'Ends the user\'s live (`WAIT` or `ACTIVE`) token for this concert at once: polls read it `EXPIRED` and every ACTIVE route refuses it. With `"ban": true` the user\'s joins to this concert answer 403 `QUEUE_BANNED` from then on. `revoked` says whether there was a live token; `banned` whether the user is banned now.',
    pathParameters: concertPathSchema,
    body: { schema: revocationBodySchema },
    responses: [{ status: 200, description: 'what the revocation did', schema: revocationSchema }],
    tag: 'queue',
    errors: [['NOT_FOUND', 'no such concert']],
  },
  'GET /admin/concerts/{concertId}/waiting-room': {
    summary: "A concert's waiting-room settings",
    description:
      "The settings in force. A concert never configured has `revision` 0 and the deployment's defaults (its `admitPerMinute` is what `ADMIT_PER_TICK` a run makes in a minute). `ETag` is the revision, for `If-Match`.",
    pathParameters: concertPathSchema,
    etag: true,
    responses: [{ status: 200, description: 'the settings', schema: waitingRoomSettingsSchema }],
    tag: 'queue',
    errors: [['NOT_FOUND', 'no such concert']],
  },
  'PATCH /admin/concerts/{concertId}/waiting-room': {
    summary: "Change a concert's waiting-room settings",
    description:
      'Changes any subset of the writable fields, live: admission follows at its next run (deployed: within a minute), joins within a second; admitted users keep their `activeUntil`, holds their `expiresAt`. Each change is recorded (who, when, from → to). With `If-Match: "<revision>"` the change applies only over that revision; without it, a change racing another is applied over it, and neither is lost. A body that changes nothing answers the settings as they are, with no new revision. Besides bad fields, 400 `VALIDATION_ERROR` answers `preQueueOpensAt` after `saleOpensAt` (as they would be after the change) and a bad `If-Match`.',
    pathParameters: concertPathSchema,
    body: { schema: waitingRoomPatchSchema },
    ifMatch: true,
    etag: true,
    responses: [{ status: 200, description: 'the settings after the change', schema: waitingRoomSettingsSchema }],
    tag: 'queue',
    errors: [
      ['NOT_FOUND', 'no such concert'],
      ['PRECONDITION_FAILED', 'If-Match names a revision another change already replaced'],
    ],
  },
  'GET /admin/concerts/{concertId}/waiting-room/changes': {
    summary: "Changes of a concert's waiting-room settings",
    description: 'The audit of the settings: the last 50 changes, newest first, each with who, when, and every changed field from → to.',
    pathParameters: concertPathSchema,
    responses: [{ status: 200, description: 'the changes', schema: waitingRoomChangesSchema }],
    tag: 'queue',
    errors: [['NOT_FOUND', 'no such concert']],
  },
  'GET /admin/concerts/{concertId}/waiting-room/stats': {
    summary: "A waiting room's live stats",
    description:
      'Counts now (waiting, ACTIVE, live holds, seats sold of total, revenue), totals since the concert was created (joined, admitted, left), the wait of a new joiner, and one `series` point per admission run for the last two hours. Series figures are totals at each run: a rate is the difference of two points. Read from counters in one batch of known keys: its cost does not grow with the line or the sales. Sales figures follow the reservations within about a second.',
    pathParameters: concertPathSchema,
    responses: [{ status: 200, description: 'the stats now', schema: waitingRoomStatsSchema }],
    tag: 'queue',
    errors: [['NOT_FOUND', 'no such concert']],
  },
};
