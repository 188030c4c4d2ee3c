/**
 * A concert's live figures, as plain functions of counters and the time.
 *
 * Nothing here counts people or seats one by one. The line's counters and the admission record
 * give the queue figures (queue-rules.ts); the sales figures come from counters that a consumer of
 * the reservations table's stream keeps: seats sold and revenue (in all and by concert date), and live
 * holds by the second they end. A hold that runs out needs no write: it drops out of the sum of holds ending after now.
 */
import type { Settings } from '../shared/config';
import type { QueueSnapshot } from '../queue/queue-repository';
import {
  activeCount,
  estimatedWaitSeconds,
  planAdmission,
  planShardedAdmission,
  preQueueGivenBackCount,
  type AdmissionState,
} from '../queue/queue-rules';
import { admissionRates, SETTING_LIMITS, waitingRoomOf, type DeploymentSettings } from '../queue/waiting-room-rules';

/** Seats sold and their revenue (KRW). */
export interface Sales {
  readonly seatsSold: number;
  readonly revenue: number;
}

/** Totals since the concert was created, in all and by concert date (`YYYY-MM-DD`; dates with no sale absent). */
export interface SalesTally extends Sales {
  readonly byDate: ReadonlyMap<string, Sales>;
}

export const NO_SALES: SalesTally = { seatsSold: 0, revenue: 0, byDate: new Map() };

/** Live holds by the second they end (epoch seconds, rounded up): how many end then. */
export type HoldsEnding = ReadonlyMap<number, number>;

/** The reservation facts the counters follow. */
export interface ReservationFacts {
  readonly concertId: string;
  /** The concert date of the seat, `YYYY-MM-DD`. */
  readonly date: string;
  /** As stored: HELD, PAID, RELEASED (a hold past `expiresAt` stays HELD in storage). */
  readonly status: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /** KRW. */
  readonly price: number;
}

/** One change of one reservation: absent `before` for a new one. */
export interface ReservationChange {
  /** Unique per change, and the same when the change is delivered again. */
  readonly changeId: string;
  readonly before?: ReservationFacts;
  readonly after?: ReservationFacts;
}

/** What a batch of changes adds to one concert's counters. */
export interface SalesDelta {
  readonly concertId: string;
  /** The changes folded in, sorted: they name the delta, so it is recognised when delivered again. */
  readonly changeIds: readonly string[];
  readonly seatsSold: number;
  readonly revenue: number;
  /** The same by concert date; dates the batch sold nothing for are absent. */
  readonly byDate: ReadonlyMap<string, Sales>;
  /** Added to the holds ending at each second (negative: holds that were paid or released). */
  readonly holdsEnding: HoldsEnding;
}

/** One point of the series: the figures right after an admission run. Totals, so a missed run loses no sale. */
export interface SeriesPoint {
  /** Epoch milliseconds, whole seconds. */
  readonly at: number;
  readonly waiting: number;
  readonly active: number;
  /** Places taken in line so far. */
  readonly joined: number;
  /** Admitted so far. */
  readonly admitted: number;
  readonly sold: number;
  readonly revenue: number;
}

/** The series reaches back this far. */
export const SERIES_WINDOW_MS = 2 * 3600 * 1000;

/**
 * Holds made now end at most this many seconds from now (the deployment's HOLD_SECONDS, or the longest
 * a concert's own settings allow): the counters to read reach this far ahead.
 */
export const holdHorizonSeconds = (settings: Pick<Settings, 'holdSeconds'>) =>
  Math.max(settings.holdSeconds, SETTING_LIMITS.holdSeconds.max);

/** The second a hold is counted as ending: rounded up, so a hold counts as live until it ends, and at most a second longer. */
export const endSecondOf = (expiresAt: number) => Math.ceil(expiresAt / 1000);

/** Holds whose end second is after now. */
export function liveHolds(holdsEnding: HoldsEnding, now: number): number {
  let live = 0;
  for (const [second, count] of holdsEnding) if (second * 1000 > now) live += count;
  return live;
}

/** What one reservation in a state adds to the counters: a HELD one a hold ending at its second, a PAID one a sale. */
function contribution(reservation: ReservationFacts | undefined) {
  return {
    holdEnds: reservation?.status === 'HELD' ? endSecondOf(reservation.expiresAt) : undefined,
    sold: reservation?.status === 'PAID' ? 1 : 0,
    revenue: reservation?.status === 'PAID' ? reservation.price : 0,
  };
}

/**
 * A batch of reservation changes as what it adds to each concert's counters: each change adds what
 * its new state counts and takes away what its old state counted. HELD → PAID moves a hold into the
 * sales; HELD → RELEASED takes the hold away. A removed reservation (none is, by the service) takes
 * nothing away: totals never go back.
 */
export function foldReservationChanges(changes: readonly ReservationChange[]): SalesDelta[] {
  const byConcert = new Map<
    string,
    { changeIds: string[]; seatsSold: number; revenue: number; byDate: Map<string, Sales>; holdsEnding: Map<number, number> }
  >();
  for (const change of changes) {
    if (!change.after) continue;
    const concertId = change.after.concertId;
    const before = contribution(change.before?.concertId === concertId ? change.before : undefined);
    const after = contribution(change.after);
    const delta = byConcert.get(concertId) ?? {
      changeIds: [],
      seatsSold: 0,
      revenue: 0,
      byDate: new Map<string, Sales>(),
      holdsEnding: new Map<number, number>(),
    };
    byConcert.set(concertId, delta);
    delta.changeIds.push(change.changeId);
    delta.seatsSold += after.sold - before.sold;
    delta.revenue += after.revenue - before.revenue;
    const sell = (date: string | undefined, sold: number, revenue: number) => {
      if (date === undefined || (sold === 0 && revenue === 0)) return;
      const day = delta.byDate.get(date) ?? { seatsSold: 0, revenue: 0 };
      delta.byDate.set(date, { seatsSold: day.seatsSold + sold, revenue: day.revenue + revenue });
    };
    sell(change.before?.concertId === concertId ? change.before.date : undefined, -before.sold, -before.revenue);
    sell(change.after.date, after.sold, after.revenue);
    const add = (second: number | undefined, n: number) => {
      if (second !== undefined) delta.holdsEnding.set(second, (delta.holdsEnding.get(second) ?? 0) + n);
    };
    add(before.holdEnds, -1);
    add(after.holdEnds, 1);
  }
  return [...byConcert].map(([concertId, delta]) => ({
    concertId,
    changeIds: delta.changeIds.sort(),
    seatsSold: delta.seatsSold,
    revenue: delta.revenue,
    byDate: new Map([...delta.byDate].filter(([, day]) => day.seatsSold !== 0 || day.revenue !== 0)),
    holdsEnding: new Map([...delta.holdsEnding].filter(([, n]) => n !== 0)),
  }));
}

/** True when a delta changes no counter (changes of other attributes, or ones that cancel out). */
export const isEmptyDelta = (delta: SalesDelta) =>
  delta.seatsSold === 0 && delta.revenue === 0 && delta.byDate.size === 0 && delta.holdsEnding.size === 0;

/** The line as read: its counters, the pre-queue's, and the admission record. */
export interface LineRead {
  /** Each of the line's counters (one entry, or one per shard with QUEUE_SHARDS > 1): places taken. */
  readonly counters: readonly number[];
  /** Arrivals the pre-queue's counters numbered (0 without a scheduled opening). */
  readonly preQueueArrivals: number;
  readonly admission: AdmissionState;
}

/** The line read with an admission run's snapshot. */
const lineOf = (snapshot: Pick<QueueSnapshot, 'lastSeq' | 'counters' | 'preQueueCounters' | 'admission'>): LineRead => ({
  counters: snapshot.counters ?? [snapshot.lastSeq],
  preQueueArrivals: snapshot.preQueueCounters.values.reduce((sum, value) => sum + value, 0),
  admission: snapshot.admission,
});

/**
 * Joined, waiting and admitted, in people. Waiting is counted as admission counts it (places not
 * reached, less the ones given back, the pre-queue's shuffled places included once the opening
 * placed them), and before the opening every pre-queue arrival that has not left waits too.
 */
function lineFigures(line: LineRead, now: number, settings: DeploymentSettings) {
  const { admission } = line;
  const lineJoined = line.counters.reduce((sum, value) => sum + value, 0);
  const plan =
    line.counters.length > 1
      ? planShardedAdmission(line.counters, admission, now, settings)
      : planAdmission(lineJoined, admission, now, settings);
  const preQueueBeforeOpening = admission.preQueue ? 0 : Math.max(0, line.preQueueArrivals - preQueueGivenBackCount(admission));
  return {
    joined: lineJoined + line.preQueueArrivals,
    waiting: plan.waiting + preQueueBeforeOpening,
    // The watermark and the pre-queue's count places; admission passes over the given-back ones.
    admitted: admission.admittedSeq + (admission.preQueue?.admitted ?? 0) - (admission.passedOverTotal ?? 0),
  };
}

/** The series point of an admission run: the line as the run left it, with the sales counters it read. */
export function runPoint(
  read: Pick<QueueSnapshot, 'lastSeq' | 'counters' | 'preQueueCounters' | 'admission' | 'sales'>,
  run: { readonly admitted: number; readonly activeBefore: number },
  now: number,
  settings: DeploymentSettings,
): SeriesPoint {
  const before = lineFigures(lineOf(read), now, settings);
  return {
    at: Math.floor(now / 1000) * 1000,
    waiting: Math.max(0, before.waiting - run.admitted),
    active: run.activeBefore + run.admitted,
    joined: before.joined,
    admitted: before.admitted + run.admitted,
    sold: read.sales.seatsSold,
    revenue: read.sales.revenue,
  };
}

/** Everything the stats are computed from, read together. */
export interface StatsFacts {
  readonly line: LineRead;
  /** Tokens their holders gave back, so far: places left while waiting and turns ended early. */
  readonly leftTotal: number;
  readonly sales: SalesTally;
  readonly holdsEnding: HoldsEnding;
  readonly seatsTotal: number;
  /** The series points stored for the last hours, in any order. */
  readonly points: readonly SeriesPoint[];
}

export interface SeriesPointView {
  readonly at: string;
  readonly waiting: number;
  readonly active: number;
  readonly joined: number;
  readonly admitted: number;
  readonly sold: number;
  readonly revenue: number;
}

/** The contract's stats body. */
export interface WaitingRoomStatsView {
  readonly concertId: string;
  readonly at: string;
  readonly waiting: number;
  readonly active: number;
  readonly joinedTotal: number;
  readonly admittedTotal: number;
  readonly leftTotal: number;
  readonly estimatedWaitSecondsForNewJoiner: number;
  readonly holdsLive: number;
  readonly seatsSold: number;
  readonly seatsTotal: number;
  readonly revenue: number;
  /** Seats sold and revenue by concert date, dates with a sale only, by date. */
  readonly salesByDate: readonly ({ readonly date: string } & Sales)[];
  readonly series: readonly SeriesPointView[];
}

/**
 * The wait of someone who joins now, behind everyone waiting: from the concert's admission rate, plus
 * the time until the sale opens if it has not. An ordinary joiner's first answer says the same; a
 * pre-queue joiner's says none (the opening shuffles the pre-queue), and this is the most it can be.
 */
function newJoinerWait(waiting: number, admission: AdmissionState, now: number, settings: DeploymentSettings): number {
  const room = waitingRoomOf(admission.settings, settings);
  const { saleOpensAt } = room.settings;
  const untilSale = saleOpensAt !== null ? Math.max(0, Math.ceil((saleOpensAt - now) / 1000)) : 0;
  return estimatedWaitSeconds(waiting + 1, admissionRates(room, settings)) + untilSale;
}

/** The figures at `now`, from the facts read. */
export function waitingRoomStats(concertId: string, facts: StatsFacts, now: number, settings: DeploymentSettings): WaitingRoomStatsView {
  const { joined, waiting, admitted } = lineFigures(facts.line, now, settings);
  const { admission } = facts.line;
  return {
    concertId,
    at: new Date(now).toISOString(),
    waiting,
    active: activeCount(admission, now, settings.activeSeconds),
    joinedTotal: joined,
    admittedTotal: admitted,
    leftTotal: facts.leftTotal,
    estimatedWaitSecondsForNewJoiner: newJoinerWait(waiting, admission, now, settings),
    holdsLive: Math.max(0, liveHolds(facts.holdsEnding, now)),
    seatsSold: facts.sales.seatsSold,
    seatsTotal: facts.seatsTotal,
    revenue: facts.sales.revenue,
    salesByDate: [...facts.sales.byDate]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, { seatsSold, revenue }]) => ({ date, seatsSold, revenue })),
    series: facts.points
      .filter((point) => point.at > now - SERIES_WINDOW_MS)
      .sort((a, b) => a.at - b.at)
      .map(({ at, waiting, active, joined, admitted, sold, revenue }) => ({
        at: new Date(at).toISOString(),
        waiting,
        active,
        joined,
        admitted,
        sold,
        revenue,
      })),
  };
}
