import * as z from 'zod';
import { MAX_RESERVATIONS_PER_PAYMENT } from '../wallet/payment';
import { SETTING_LIMITS } from '../queue/waiting-room-rules';
import type { ErrorCode } from '../shared/errors';
import { STATUS_OF } from './responses';
import { ID_MAX_LENGTH, ID_MESSAGE, ID_PATTERN } from './schemas';

/*
 * Response bodies, as the contract describes them. Handlers do not parse their own answers: these
 * document them (the OpenAPI document is generated from them) and let clients and tests check them.
 * No handler imports this module, so a function never spends its cold start building them.
 */

/** An id, as the request schemas check it (those are zod/mini, which the OpenAPI generator does not read). */
const idSchema = z.string().min(1).max(ID_MAX_LENGTH).regex(ID_PATTERN, ID_MESSAGE);

/** A UTC instant, as every time in a response is written. */
export const instantSchema = z.iso.datetime().meta({ example: '2026-12-24T19:00:00.000Z' });
/** A concert date. */
export const calendarDateSchema = z.iso.date().meta({ example: '2026-12-24' });
/** Money: whole KRW. */
export const krwSchema = z.number().int().min(0).meta({ description: 'whole KRW' });

const errorCodes = Object.keys(STATUS_OF) as [ErrorCode, ...ErrorCode[]];

/** Every error, whatever its status: `details` only for validation errors, one entry per bad field. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes),
      message: z.string().meta({ description: 'for people; never a stack trace or an AWS error name' }),
      details: z
        .array(z.object({ path: z.string().meta({ example: 'amount' }), message: z.string() }))
        .optional()
        .meta({ description: 'VALIDATION_ERROR only: one entry per bad field (none for a body that is not JSON)' }),
    }),
  })
  .meta({ id: 'Error' });

/** `GET /health`. */
export const healthSchema = z.object({ status: z.literal('ok') }).meta({ id: 'Health' });

/** The queue status body of `POST` and `GET /concerts/{concertId}/queue`. */
export const queueStatusSchema = z
  .object({
    token: z.string().meta({
      description: 'your queue token: send it as X-Queue-Token',
      example: 'qt2.Dq_jRefi.eyJjIjoiYXVyb3JhLWxpdmUiLCJ1IjoiYWxpY2UiLCJuIjozfQ.KSOzWkHPsUNL29aK2wtmfg',
    }),
    concertId: idSchema,
    status: z.enum(['WAIT', 'ACTIVE', 'EXPIRED']).meta({ description: 'a token its holder gave back, or an admin revoked, is EXPIRED' }),
    position: z.number().int().min(0).nullable().meta({
      description:
        '1 for the next user to be admitted; counts only users still waiting ahead, never grows; 0 unless WAIT; null while WAIT before a scheduled opening (saleOpensAt), when nobody has a place yet',
    }),
    estimatedWaitSeconds: z
      .number()
      .min(0)
      .nullable()
      .meta({ description: 'from the admission rate; 0 unless WAIT; null when position is null' }),
    activeUntil: instantSchema.optional().meta({ description: 'only while ACTIVE: routes marked ACTIVE accept the token until then' }),
    opensAt: instantSchema.optional().meta({
      description:
        'only while position is null: when the sale opens (saleOpensAt). Then everyone who joined before it gets a place in a uniformly random order, ahead of later joiners',
    }),
    paused: z
      .literal(true)
      .optional()
      .meta({ description: 'only while an admin has paused admission: nobody is admitted until it resumes; ACTIVE users keep their time' }),
  })
  .meta({ id: 'QueueStatus' });

/** `GET /concerts/{concertId}/queue/state`: the line's public state (functions/queue/waiting-place.ts). */
export const queueStateSchema = z
  .object({
    concertId: idSchema,
    admittedSeq: z.number().int().min(0).meta({
      description:
        'every number of the line up to this one has been admitted: a token numbered `n` (no shard) waits at `n − admittedSeq` plus the pre-queue places left',
    }),
    shards: z
      .object({
        admitted: z.array(z.number().int().min(0)).meta({ description: 'per shard, every number up to this one has been admitted' }),
        epochs: z.array(z.array(z.number().int().min(0))).meta({
          description:
            "per admission run that closed an epoch, oldest first, each shard's counter then: a place in a sharded line follows from these and `admitted`",
        }),
      })
      .nullable()
      .meta({ description: 'the sharded line (QUEUE_SHARDS > 1); null with one counter' }),
    paused: z.boolean().meta({ description: 'an admin has paused admission: nobody is admitted until it resumes' }),
    saleOpensAt: instantSchema.nullable().meta({ description: 'when the sale opens, if an opening is set' }),
    preQueue: z
      .object({
        opened: z.boolean().meta({ description: 'the opening was recorded: every pre-queue token has its shuffled place' }),
        size: z.number().int().min(0).nullable().meta({ description: 'how many joined the pre-queue; null until the opening' }),
        admitted: z
          .number()
          .int()
          .min(0)
          .meta({ description: 'shuffled places 1…admitted are admitted; a pre-queue token at place p waits at p − admitted' }),
      })
      .nullable()
      .meta({ description: 'the pre-queue of a scheduled opening; null when none was scheduled' }),
    rate: z
      .object({
        admitPerRun: z
          .number()
          .min(0)
          .meta({ description: 'admitted per admission run at most (may be fractional: a share of admitPerMinute)' }),
        runEverySeconds: z.number().int().min(1).meta({ description: 'seconds between admission runs' }),
        maxActive: z.number().int().min(1),
        activeSeconds: z.number().int().min(1),
      })
      .meta({
        description:
          'the admission rate `estimatedWaitSeconds` follows: ⌈position ÷ min(admitPerRun, maxActive × runEverySeconds ÷ activeSeconds)⌉ runs',
      }),
    updatedAt: instantSchema.meta({
      description: 'when the server worked this answer out, from an admission record at most a second older',
    }),
  })
  .meta({ id: 'QueueState' });

/** `POST /admin/concerts/{concertId}/queue/revocations`. */
export const revocationSchema = z
  .object({
    userId: z.string().min(1).max(128),
    revoked: z.boolean().meta({ description: 'the user held a live (WAIT or ACTIVE) token for the concert, and it is EXPIRED now' }),
    banned: z
      .boolean()
      .meta({ description: "the user's joins to this concert are refused (403 QUEUE_BANNED), by this call or an earlier one" }),
  })
  .meta({ id: 'Revocation' });

/** `GET /concerts/{concertId}/queue/challenge`: an ALTCHA challenge exactly as altcha-lib's `createChallenge` makes it. */
export const joinChallengeSchema = z
  .object({
    parameters: z
      .object({
        algorithm: z.string().meta({ example: 'PBKDF2/SHA-256' }),
        nonce: z.string().meta({ description: 'hex' }),
        salt: z.string().meta({ description: 'hex' }),
        cost: z.number().int().min(1).meta({ description: 'PBKDF2 iterations of one attempt', example: 1000 }),
        keyLength: z.number().int().min(1).meta({ example: 32 }),
        keyPrefix: z.string().meta({ description: 'hex: the derived key of the solution starts with it' }),
        keySignature: z.string().meta({ description: "hex: the server's signature of the solution's derived key" }),
        expiresAt: z.number().int().meta({ description: 'epoch seconds: 5 minutes after it was issued' }),
        data: z
          .object({
            concertId: idSchema,
            userId: z.string(),
            work: z.number().int().min(0).meta({ description: "the concert's challengeWork when it was issued" }),
            keyId: z.string(),
          })
          .meta({ description: 'whom and what it is for; signed with the rest' }),
      })
      .meta({ description: 'signed as a whole (canonical JSON); solve with altcha-lib or the altcha widget' }),
    signature: z.string().meta({ description: 'hex HMAC-SHA-256 of the parameters' }),
  })
  .meta({ id: 'JoinChallenge' });

/** `GET /concerts`. */
export const concertListSchema = z
  .object({
    concerts: z.array(z.object({ concertId: idSchema, title: z.string(), venue: z.string() }).meta({ id: 'ConcertSummary' })),
  })
  .meta({ id: 'ConcertList' });

/** `GET /concerts/{concertId}/schedules`: dates that still have at least one available seat. */
export const scheduleListSchema = z
  .object({
    schedules: z.array(
      z.object({ scheduleId: idSchema, date: calendarDateSchema, availableSeats: z.number().int().min(1) }).meta({ id: 'Schedule' }),
    ),
  })
  .meta({ id: 'ScheduleList' });

/** `GET /concerts/{concertId}/schedules/{scheduleId}/seats`: a hold past its end shows AVAILABLE. */
export const seatMapSchema = z
  .object({
    seats: z.array(
      z
        .object({ seatNumber: z.number().int().min(1), price: krwSchema, status: z.enum(['AVAILABLE', 'HELD', 'SOLD']) })
        .meta({ id: 'Seat' }),
    ),
  })
  .meta({ id: 'SeatMap' });

/** `POST /admin/concerts`. */
export const createdConcertSchema = z
  .object({
    concertId: idSchema,
    title: z.string(),
    venue: z.string(),
    schedules: z.array(z.object({ scheduleId: idSchema, date: calendarDateSchema, seatCount: z.number().int().min(1) })),
  })
  .meta({ id: 'CreatedConcert' });

/** A reservation: a hold on one seat, or a purchase once paid. */
export const reservationSchema = z
  .object({
    reservationId: idSchema,
    concertId: idSchema,
    scheduleId: idSchema,
    date: calendarDateSchema,
    seatNumber: z.number().int().min(1),
    price: krwSchema,
    status: z.enum(['HELD', 'PAID', 'EXPIRED', 'RELEASED']).meta({
      description: 'a hold past expiresAt unpaid reads EXPIRED from that instant; one its holder gave back reads RELEASED',
    }),
    expiresAt: instantSchema,
    createdAt: instantSchema,
  })
  .meta({ id: 'Reservation' });

/** `GET /reservations`: newest first. */
export const reservationListSchema = z
  .object({
    reservations: z.array(reservationSchema),
    nextCursor: z.string().optional().meta({ description: 'present when older reservations follow: pass it as `cursor`' }),
  })
  .meta({ id: 'ReservationList' });

/** `GET /balance` and `POST /balance/charge`: a new user has 0. */
export const balanceSchema = z.object({ balance: krwSchema }).meta({ id: 'Balance' });

/** A payment: one debit for 1–4 reservations; `balance` is the balance after it. */
export const paymentSchema = z
  .object({
    paymentId: idSchema,
    reservationIds: z.array(idSchema).min(1).max(MAX_RESERVATIONS_PER_PAYMENT),
    amount: krwSchema,
    balance: krwSchema.meta({ description: 'the balance after the debit' }),
    paidAt: instantSchema,
  })
  .meta({ id: 'Payment' });

/** `GET /payments`: newest first. */
export const paymentListSchema = z
  .object({
    payments: z.array(paymentSchema),
    nextCursor: z.string().optional().meta({ description: 'present when older payments follow: pass it as `cursor`' }),
  })
  .meta({ id: 'PaymentList' });

const limited = ({ min, max }: { readonly min: number; readonly max: number }) => z.number().int().min(min).max(max);

/** `GET` and `PATCH /admin/concerts/{concertId}/waiting-room`. */
export const waitingRoomSettingsSchema = z
  .object({
    concertId: idSchema,
    revision: z.number().int().min(0).meta({ description: "how many changes were made; 0: never changed, the deployment's defaults" }),
    joining: z
      .enum(['OPEN', 'CLOSED'])
      .meta({ description: 'CLOSED: joins answer 409 QUEUE_CLOSED; tokens already in line keep their places' }),
    admission: z.enum(['RUNNING', 'PAUSED']).meta({ description: 'PAUSED: nobody is admitted; ACTIVE users keep their time' }),
    admitPerMinute: limited(SETTING_LIMITS.admitPerMinute).meta({ description: 'admitted per clock minute at most, each run its share' }),
    maxActive: limited(SETTING_LIMITS.maxActive).meta({ description: 'ACTIVE at once at most' }),
    activeSeconds: limited(SETTING_LIMITS.activeSeconds).meta({ description: 'the turn of users admitted from now on' }),
    holdSeconds: limited(SETTING_LIMITS.holdSeconds).meta({ description: 'the length of holds made from now on' }),
    preQueueOpensAt: instantSchema.nullable().meta({ description: 'before it, joins answer 409 QUEUE_NOT_OPEN with Retry-After' }),
    saleOpensAt: instantSchema.nullable().meta({ description: 'before it, nobody is admitted' }),
    challengeWork: limited(SETTING_LIMITS.challengeWork).meta({ description: "the join's proof-of-work difficulty; 0 = none" }),
    updatedAt: instantSchema.optional().meta({ description: 'the last change; absent at revision 0' }),
    updatedBy: z.string().optional().meta({ description: 'the `sub` of the admin who made the last change; absent at revision 0' }),
  })
  .meta({ id: 'WaitingRoomSettings' });

const settingValueSchema = z.union([z.string(), z.number(), z.null()]);

/** `GET /admin/concerts/{concertId}/waiting-room/changes`: newest first. */
export const waitingRoomChangesSchema = z
  .object({
    changes: z.array(
      z
        .object({
          at: instantSchema,
          by: z.string().meta({ description: "the admin's `sub`" }),
          revision: z.number().int().min(1),
          changed: z
            .record(z.string(), z.object({ from: settingValueSchema, to: settingValueSchema }))
            .meta({ description: 'each field the change changed, from → to', example: { admission: { from: 'RUNNING', to: 'PAUSED' } } }),
        })
        .meta({ id: 'WaitingRoomChange' }),
    ),
  })
  .meta({ id: 'WaitingRoomChanges' });

const count = (description: string) => z.number().int().min(0).meta({ description });

/** `GET /admin/concerts/{concertId}/waiting-room/stats`: the figures now, totals, and the series. */
export const waitingRoomStatsSchema = z
  .object({
    concertId: idSchema,
    at: instantSchema.meta({ description: 'when these figures were read' }),
    waiting: count('places in line not yet admitted (a place given back may count until admission passes it)'),
    active: count('tokens ACTIVE now'),
    joinedTotal: count('places taken in line since the concert was created'),
    admittedTotal: count('tokens admitted since the concert was created'),
    leftTotal: count('tokens that left the line or ended their turn early'),
    estimatedWaitSecondsForNewJoiner: z.number().min(0).meta({ description: 'the wait of someone joining now, from the admission rate' }),
    holdsLive: count('holds not yet paid, released or ended'),
    seatsSold: count('seats sold, all dates'),
    seatsTotal: count('seats of all dates, as created'),
    revenue: krwSchema.meta({ description: 'sum of the prices of the seats sold (KRW)' }),
    salesByDate: z
      .array(
        z
          .object({
            date: calendarDateSchema,
            seatsSold: count('seats of this date sold'),
            revenue: krwSchema.meta({ description: 'sum of their prices (KRW)' }),
          })
          .meta({ id: 'DateSales' }),
      )
      .meta({ description: 'seats sold and revenue by concert date, dates with at least one sale, by date' }),
    series: z
      .array(
        z
          .object({
            at: instantSchema.meta({ description: 'the admission run this point is of' }),
            waiting: count('waiting after the run'),
            active: count('ACTIVE after the run'),
            joined: count('joinedTotal at the run'),
            admitted: count('admittedTotal after the run'),
            sold: count('seatsSold at the run'),
            revenue: krwSchema.meta({ description: 'revenue at the run' }),
          })
          .meta({ id: 'StatsPoint' }),
      )
      .meta({ description: 'one point per admission run (a minute deployed), oldest first, for the last two hours' }),
  })
  .meta({ id: 'WaitingRoomStats' });
