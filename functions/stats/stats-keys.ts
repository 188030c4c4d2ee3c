import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { GIVE_BACK_COUNTERS } from '../queue/queue-keys';
import type { Item, TransactItem } from '../shared/dynamodb-item';
import { TTL_ATTRIBUTE } from '../shared/tables';
import {
  NO_SALES,
  type HoldsEnding,
  type ReservationChange,
  type ReservationFacts,
  type SalesDelta,
  type SalesTally,
  type SeriesPoint,
} from './stats-rules';

/**
 * Items of the queue table that the stats are read from (partition key only, beside each concert's
 * waiting room). Only the sales counter's stream consumer writes the first three, and only the
 * admission run writes the series: no request of a user ever touches them.
 * - `SALES#<concert>`            seatsSold, revenue: totals since the concert was created; `sold@<date>`,
 *   `revenue@<date>`: the same for each concert date with a sale
 * - `HOLDS#<concert>#<hour>`     per epoch hour, `s<second of the hour>`: how many live holds end in that second
 *   (added to when a hold is made, taken from when it is paid or released); gone a day after its hour
 * - `FOLDED#<concert>#<digest>`  a batch of reservation changes folded into the counters, so that the
 *   same batch delivered again is recognised; kept two days (a stream keeps records one)
 * - `STATS#<concert>#<hour>`     per epoch hour, `p<second of the hour>`: the series point of the admission
 *   run of that second; gone a few hours after its hour
 */
export const statsKeys = {
  sales: (concertId: string) => ({ pk: `SALES#${concertId}` }),
  holds: (concertId: string, hour: number) => ({ pk: `HOLDS#${concertId}#${hour}` }),
  folded: (concertId: string, digest: string) => ({ pk: `FOLDED#${concertId}#${digest}` }),
  series: (concertId: string, hour: number) => ({ pk: `STATS#${concertId}#${hour}` }),
};

const HOUR_SECONDS = 3600;
const HOLDS_RETENTION_SECONDS = 24 * 3600;
const FOLDED_RETENTION_SECONDS = 2 * 24 * 3600;
const SERIES_RETENTION_SECONDS = 4 * 3600;
const HOLD_PREFIX = 's';
const POINT_PREFIX = 'p';

/** The epoch hour of an epoch second. */
export const hourOf = (second: number) => Math.floor(second / HOUR_SECONDS);
/** Epoch hours `from` to `to`, both included. */
export const hoursBetween = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** A date's counters on the sales item: `sold@<date>` and `revenue@<date>`, beside the totals. */
const SOLD_ON = 'sold@';
const REVENUE_ON = 'revenue@';

export function toSalesTally(item: Item | undefined): SalesTally {
  if (!item) return NO_SALES;
  const byDate = new Map<string, { seatsSold: number; revenue: number }>();
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(SOLD_ON)) {
      const date = name.slice(SOLD_ON.length);
      byDate.set(date, { seatsSold: value as number, revenue: (item[`${REVENUE_ON}${date}`] as number | undefined) ?? 0 });
    }
  }
  return { seatsSold: (item.seatsSold as number | undefined) ?? 0, revenue: (item.revenue as number | undefined) ?? 0, byDate };
}

/** The holds-ending counts of hour items (`HOLDS#…`), by epoch second. */
export function toHoldsEnding(items: readonly Item[]): HoldsEnding {
  const ending = new Map<number, number>();
  for (const item of items) {
    const start = hourStartOf(item.pk as string);
    for (const [name, value] of Object.entries(item)) {
      if (name.startsWith(HOLD_PREFIX) && /^\d+$/.test(name.slice(1))) ending.set(start + Number(name.slice(1)), value as number);
    }
  }
  return ending;
}

/** The series points of hour items (`STATS#…`). */
export function toSeriesPoints(items: readonly Item[]): SeriesPoint[] {
  return items.flatMap((item) => {
    const start = hourStartOf(item.pk as string);
    return Object.entries(item)
      .filter(([name]) => name.startsWith(POINT_PREFIX) && /^\d+$/.test(name.slice(1)))
      .map(([name, value]) => ({ ...(value as Omit<SeriesPoint, 'at'>), at: (start + Number(name.slice(1))) * 1000 }));
  });
}

/** Epoch second at which the hour of an hour item's key begins (its key ends in `#<hour>`). */
const hourStartOf = (pk: string) => Number(pk.slice(pk.lastIndexOf('#') + 1)) * HOUR_SECONDS;

/** How many tokens their holders gave back (left the line, or ended their turn early), as the admission record counts them. */
export const leftTotalOf = (admission: Item | undefined) => (admission?.[GIVE_BACK_COUNTERS.left] as number | undefined) ?? 0;

/** A reservation item's stream images as a change the counters follow; images of other items give none. */
export function toReservationChange(
  changeId: string,
  oldImage: Item | undefined,
  newImage: Item | undefined,
): ReservationChange | undefined {
  const facts = (image: Item | undefined): ReservationFacts | undefined =>
    image && typeof image.concertId === 'string' && typeof image.status === 'string'
      ? {
          concertId: image.concertId,
          date: String(image.date),
          status: image.status,
          expiresAt: Number(image.expiresAt),
          price: Number(image.price),
        }
      : undefined;
  const before = facts(oldImage);
  const after = facts(newImage);
  if (!before && !after) return undefined;
  return { changeId, ...(before ? { before } : {}), ...(after ? { after } : {}) };
}

/**
 * The writes that fold one concert's delta in, each set marked by its own `FOLDED#` item written only
 * if it is not there: at most 100 items a transaction, so a delta spread over very many hours is
 * folded in parts, each recognised on its own. The marker is each part's first item.
 */
export function foldTransactions(tableName: string, delta: SalesDelta, digest: string, now: number): TransactItem[][] {
  const updates: TransactItem[] = [];
  if (delta.seatsSold !== 0 || delta.revenue !== 0 || delta.byDate.size > 0) {
    // A concert has at most 100 dates, so its sales stay one small item.
    const dates = [...delta.byDate];
    updates.push({
      Update: {
        TableName: tableName,
        Key: statsKeys.sales(delta.concertId),
        UpdateExpression: [
          'ADD seatsSold :sold, revenue :revenue',
          ...dates.map((_, i) => `#sold${i} :sold${i}, #revenue${i} :revenue${i}`),
        ].join(', '),
        ...(dates.length > 0
          ? {
              ExpressionAttributeNames: Object.fromEntries(
                dates.flatMap(([date], i) => [
                  [`#sold${i}`, `${SOLD_ON}${date}`],
                  [`#revenue${i}`, `${REVENUE_ON}${date}`],
                ]),
              ),
            }
          : {}),
        ExpressionAttributeValues: {
          ':sold': delta.seatsSold,
          ':revenue': delta.revenue,
          ...Object.fromEntries(
            dates.flatMap(([, day], i) => [
              [`:sold${i}`, day.seatsSold],
              [`:revenue${i}`, day.revenue],
            ]),
          ),
        },
      },
    });
  }
  const byHour = new Map<number, [number, number][]>();
  for (const [second, n] of delta.holdsEnding) byHour.set(hourOf(second), [...(byHour.get(hourOf(second)) ?? []), [second, n]]);
  for (const [hour, counts] of byHour) {
    const names = Object.fromEntries(counts.map(([second], i) => [`#s${i}`, `${HOLD_PREFIX}${second - hour * HOUR_SECONDS}`]));
    const values = Object.fromEntries(counts.map(([, n], i) => [`:s${i}`, n]));
    updates.push({
      Update: {
        TableName: tableName,
        Key: statsKeys.holds(delta.concertId, hour),
        UpdateExpression: `ADD ${counts.map((_, i) => `#s${i} :s${i}`).join(', ')} SET #ttl = :ttl`,
        ExpressionAttributeNames: { ...names, '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ...values, ':ttl': (hour + 1) * HOUR_SECONDS + HOLDS_RETENTION_SECONDS },
      },
    });
  }
  const parts: TransactItem[][] = [];
  for (let i = 0; i < updates.length; i += 99) parts.push(updates.slice(i, i + 99));
  return parts.map((part, i) => [
    {
      Put: {
        TableName: tableName,
        Item: {
          ...statsKeys.folded(delta.concertId, parts.length > 1 ? `${digest}-${i}` : digest),
          [TTL_ATTRIBUTE]: Math.floor(now / 1000) + FOLDED_RETENTION_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...part,
  ]);
}

/** The admission run's point, in the hour item of its second (a later run of the same second writes over it). */
export function seriesPointUpdate(tableName: string, concertId: string, point: SeriesPoint): UpdateCommandInput {
  const second = Math.floor(point.at / 1000);
  const hour = hourOf(second);
  const { at: _at, ...figures } = point;
  return {
    TableName: tableName,
    Key: statsKeys.series(concertId, hour),
    UpdateExpression: 'SET #point = :point, #ttl = :ttl',
    ExpressionAttributeNames: { '#point': `${POINT_PREFIX}${second - hour * HOUR_SECONDS}`, '#ttl': TTL_ATTRIBUTE },
    ExpressionAttributeValues: { ':point': figures, ':ttl': (hour + 1) * HOUR_SECONDS + SERIES_RETENTION_SECONDS },
  };
}
