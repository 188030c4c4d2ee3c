import fc from 'fast-check';
import {
  foldTransactions,
  hourOf,
  seriesPointUpdate,
  toHoldsEnding,
  toReservationChange,
  toSalesTally,
  toSeriesPoints,
} from '../../functions/stats/stats-keys';
import {
  endSecondOf,
  foldReservationChanges,
  liveHolds,
  runPoint,
  waitingRoomStats,
  type ReservationChange,
  type ReservationFacts,
  type StatsFacts,
} from '../../functions/stats/stats-rules';
import type { AdmissionState } from '../../functions/queue/queue-rules';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');
const settings = { holdSeconds: 300, activeSeconds: 600, admitPerTick: 100, maxActivePerConcert: 1000, admissionIntervalSeconds: 10 };
const held = (expiresAt: number, price = 1000, concertId = 'c1', date = '2026-12-24'): ReservationFacts => ({
  concertId,
  date,
  status: 'HELD',
  expiresAt,
  price,
});
const as = (facts: ReservationFacts, status: string): ReservationFacts => ({ ...facts, status });

describe('folding reservation changes', () => {
  test('a hold adds one at its end second; paying moves it into the sales; releasing takes it away', () => {
    const a = held(T0 + 300_500, 55_000);
    const b = held(T0 + 301_000, 77_000);
    const [delta] = foldReservationChanges([
      { changeId: '1', after: a },
      { changeId: '2', after: b },
      { changeId: '3', before: a, after: as(a, 'PAID') },
      { changeId: '4', before: b, after: as(b, 'RELEASED') },
    ]);
    expect(delta).toEqual({
      concertId: 'c1',
      changeIds: ['1', '2', '3', '4'],
      seatsSold: 1,
      revenue: 55_000,
      byDate: new Map([['2026-12-24', { seatsSold: 1, revenue: 55_000 }]]),
      holdsEnding: new Map(),
    });
  });

  test('sales are counted by the date of their seat too, and the dates add up to the totals', () => {
    const first = held(T0 + 1000, 10_000, 'c1', '2026-12-24');
    const second = held(T0 + 1000, 20_000, 'c1', '2026-12-25');
    const third = held(T0 + 1000, 30_000, 'c1', '2026-12-25');
    const [delta] = foldReservationChanges([
      { changeId: '1', before: first, after: as(first, 'PAID') },
      { changeId: '2', before: second, after: as(second, 'PAID') },
      { changeId: '3', before: third, after: as(third, 'PAID') },
      { changeId: '4', after: held(T0 + 2000, 40_000, 'c1', '2026-12-26') },
    ]);
    expect(delta.byDate).toEqual(
      new Map([
        ['2026-12-24', { seatsSold: 1, revenue: 10_000 }],
        ['2026-12-25', { seatsSold: 2, revenue: 50_000 }],
      ]),
    );
    expect({ seatsSold: delta.seatsSold, revenue: delta.revenue }).toEqual({ seatsSold: 3, revenue: 60_000 });
  });

  test('per concert, changes that touch no counter (other attributes, removals) count nothing', () => {
    const a = held(T0 + 1000);
    const paid = as(a, 'PAID');
    const deltas = foldReservationChanges([
      { changeId: 'x', after: held(T0 + 2000, 10, 'c2') },
      { changeId: 'y', before: paid, after: { ...paid, price: paid.price } },
      { changeId: 'z', before: paid },
    ]);
    expect(deltas).toEqual([
      {
        concertId: 'c2',
        changeIds: ['x'],
        seatsSold: 0,
        revenue: 0,
        byDate: new Map(),
        holdsEnding: new Map([[endSecondOf(T0 + 2000), 1]]),
      },
      { concertId: 'c1', changeIds: ['y'], seatsSold: 0, revenue: 0, byDate: new Map(), holdsEnding: new Map() },
    ]);
  });

  test('any order of batches adds up to the same counters as the reservations themselves say', () => {
    // A reservation's own changes come in its order (one stream shard); batches split them anywhere.
    const life = fc.record({
      expiresIn: fc.integer({ min: -5_000, max: 600_000 }),
      price: fc.integer({ min: 1, max: 200_000 }),
      end: fc.constantFrom('HELD', 'PAID', 'RELEASED'),
      date: fc.constantFrom('2026-12-24', '2026-12-25', '2026-12-26'),
    });
    fc.assert(
      fc.property(fc.array(life, { maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1 }), (lives, cuts) => {
        const changes: ReservationChange[] = lives.flatMap((l, i) => {
          const hold = held(T0 + l.expiresIn, l.price, 'c1', l.date);
          return [
            { changeId: `${i}a`, after: hold },
            ...(l.end === 'HELD' ? [] : [{ changeId: `${i}b`, before: hold, after: as(hold, l.end) }]),
          ];
        });
        let sold = 0;
        let revenue = 0;
        const byDate = new Map<string, number>();
        const ending = new Map<number, number>();
        for (let start = 0, k = 0; start < changes.length; start += cuts[k++ % cuts.length]) {
          for (const delta of foldReservationChanges(changes.slice(start, start + cuts[k % cuts.length]))) {
            sold += delta.seatsSold;
            revenue += delta.revenue;
            for (const [date, day] of delta.byDate) byDate.set(date, (byDate.get(date) ?? 0) + day.revenue);
            for (const [second, n] of delta.holdsEnding) ending.set(second, (ending.get(second) ?? 0) + n);
          }
        }
        const paid = lives.filter((l) => l.end === 'PAID');
        expect(sold).toBe(paid.length);
        expect(revenue).toBe(paid.reduce((sum, l) => sum + l.price, 0));
        for (const date of ['2026-12-24', '2026-12-25', '2026-12-26']) {
          const onDate = paid.filter((l) => l.date === date);
          expect(byDate.get(date) ?? 0).toBe(onDate.reduce((sum, l) => sum + l.price, 0));
        }
        expect(liveHolds(ending, T0)).toBe(lives.filter((l) => l.end === 'HELD' && l.expiresIn > 0).length);
      }),
    );
  });
});

describe('live holds', () => {
  test('a hold counts until its end, and at most a second longer; no write is needed when it ends', () => {
    const ending = new Map([[endSecondOf(T0 + 10_500), 2]]);
    expect(liveHolds(ending, T0 + 10_499)).toBe(2);
    expect(liveHolds(ending, T0 + 10_999)).toBe(2); // ended at 10.5 s: still counted within that second
    expect(liveHolds(ending, T0 + 11_000)).toBe(0);
    expect(liveHolds(new Map([[endSecondOf(T0 + 10_000), 1]]), T0 + 10_000)).toBe(0); // a whole-second end is exact
  });
});

describe('the stats view', () => {
  const admission: AdmissionState = {
    admittedSeq: 150,
    batches: [{ firstSeq: 51, lastSeq: 150, admittedAt: T0 - 60_000, finished: 7 }],
  };
  const facts: StatsFacts = {
    line: { counters: [250], preQueueArrivals: 0, admission },
    leftTotal: 3,
    sales: {
      seatsSold: 9,
      revenue: 900_000,
      byDate: new Map([
        ['2026-12-25', { seatsSold: 4, revenue: 500_000 }],
        ['2026-12-24', { seatsSold: 5, revenue: 400_000 }],
      ]),
    },
    holdsEnding: new Map([
      [Math.floor(T0 / 1000) - 5, 4],
      [Math.floor(T0 / 1000) + 100, 6],
    ]),
    seatsTotal: 1500,
    points: [
      { at: T0 - 3 * 3600_000, waiting: 1, active: 1, joined: 1, admitted: 0, sold: 0, revenue: 0 },
      { at: T0 - 60_000, waiting: 200, active: 90, joined: 240, admitted: 150, sold: 8, revenue: 800_000 },
      { at: T0 - 2 * 3600_000 + 1000, waiting: 2, active: 2, joined: 2, admitted: 0, sold: 0, revenue: 0 },
    ],
  };

  test('counts now, totals, the estimate, and the last two hours of the series, oldest first', () => {
    expect(waitingRoomStats('c1', facts, T0, settings)).toEqual({
      concertId: 'c1',
      at: '2026-12-01T10:00:00.000Z',
      waiting: 100,
      active: 93,
      joinedTotal: 250,
      admittedTotal: 150,
      leftTotal: 3,
      // 101st in line; places free up at 1,000 per 600 s, so about 16.7 a run every 10 s: 7 runs.
      estimatedWaitSecondsForNewJoiner: 70,
      holdsLive: 6,
      seatsSold: 9,
      seatsTotal: 1500,
      revenue: 900_000,
      salesByDate: [
        { date: '2026-12-24', seatsSold: 5, revenue: 400_000 },
        { date: '2026-12-25', seatsSold: 4, revenue: 500_000 },
      ],
      series: [
        { at: '2026-12-01T08:00:01.000Z', waiting: 2, active: 2, joined: 2, admitted: 0, sold: 0, revenue: 0 },
        { at: '2026-12-01T09:59:00.000Z', waiting: 200, active: 90, joined: 240, admitted: 150, sold: 8, revenue: 800_000 },
      ],
    });
  });

  test('places given back are neither waiting nor admitted: the watermark counts places, the figures people', () => {
    const givenBack: StatsFacts = {
      ...facts,
      // 150 places reached, 2 of them passed over as given back; 2 more given back further on; 3 left in all.
      line: { ...facts.line, admission: { ...admission, givenBack: new Set(['160', '170']), passedOverTotal: 2 } },
    };
    expect(waitingRoomStats('c1', givenBack, T0, settings)).toMatchObject({
      waiting: 98,
      admittedTotal: 148,
      leftTotal: 3,
      joinedTotal: 250,
    });
    const sharded: StatsFacts = {
      ...facts,
      line: {
        counters: [120, 130],
        preQueueArrivals: 0,
        admission: { ...admission, line: { admitted: [70, 80], epochs: [[120, 130]], revision: 3 }, givenBack: new Set(['1.100']) },
      },
    };
    expect(waitingRoomStats('c1', sharded, T0, settings)).toMatchObject({ waiting: 99, joinedTotal: 250 });
  });

  test("a new joiner's wait follows the concert's own rate, and counts the time until its sale opens", () => {
    const room = (changes: Record<string, unknown>) => ({
      revision: 1,
      updatedAt: T0,
      updatedBy: 'ops',
      settings: {
        joining: 'OPEN' as const,
        admission: 'RUNNING' as const,
        admitPerMinute: 60,
        maxActive: 1000,
        activeSeconds: 600,
        holdSeconds: 300,
        preQueueOpensAt: null,
        saleOpensAt: null,
        challengeWork: 0,
        ...changes,
      },
    });
    const withRoom = (changes: Record<string, unknown>): StatsFacts => ({
      ...facts,
      line: { ...facts.line, admission: { ...admission, settings: room(changes) } },
    });
    const configured = withRoom({});
    // 101st in line at 60 a minute (10 a run every 10 s): 11 runs.
    expect(waitingRoomStats('c1', configured, T0, settings).estimatedWaitSecondsForNewJoiner).toBe(110);
    const opensLater = withRoom({ saleOpensAt: T0 + 300_500 });
    expect(waitingRoomStats('c1', opensLater, T0, settings).estimatedWaitSecondsForNewJoiner).toBe(110 + 301);
  });

  test('before a scheduled opening every pre-queue arrival waits (less those who left); once it is recorded, its places not yet admitted do', () => {
    const before: StatsFacts = {
      ...facts,
      line: { counters: [0], preQueueArrivals: 40, admission: { admittedSeq: 0, batches: [], givenBack: new Set(['p7', 'p9']) } },
    };
    expect(waitingRoomStats('c1', before, T0, settings)).toMatchObject({ joinedTotal: 40, waiting: 38, admittedTotal: 0 });
    const preQueue = { size: 40, shardSizes: [40], seed: '00'.repeat(32), openedAt: T0 - 60_000, admitted: 25 };
    const opened: StatsFacts = {
      ...facts,
      line: {
        counters: [10],
        preQueueArrivals: 40,
        admission: {
          admittedSeq: 0,
          batches: [{ firstSeq: 1, lastSeq: 0, admittedAt: T0 - 60_000, finished: 1, preQueuePlaces: [1, 25] }],
          preQueue,
          passedOverTotal: 1,
        },
      },
    };
    // 15 shuffled places and 10 in the line wait; 25 places reached, one of them given back.
    expect(waitingRoomStats('c1', opened, T0, settings)).toMatchObject({ joinedTotal: 50, waiting: 25, admittedTotal: 24, active: 24 });
  });

  test("a run's point: the line as the run left it", () => {
    const point = runPoint(
      { lastSeq: 250, admission, preQueueCounters: { values: [], closed: [] }, sales: facts.sales },
      { admitted: 40, activeBefore: 93 },
      T0 + 1234,
      settings,
    );
    expect(point).toEqual({ at: T0 + 1000, waiting: 60, active: 133, joined: 250, admitted: 190, sold: 9, revenue: 900_000 });
  });
});

describe('stats items', () => {
  test('hold counts are kept per hour item, one attribute a second, and read back by second', () => {
    const second = Math.floor(T0 / 1000) + 3599; // the last second of an hour, and the next hour
    const [delta] = foldReservationChanges([
      { changeId: 'a', after: held(second * 1000) },
      { changeId: 'b', after: held((second + 2) * 1000) },
      { changeId: 'c', after: held((second + 2) * 1000) },
    ]);
    const [[marker, ...updates]] = foldTransactions('queue', delta, 'digest', T0);
    expect(marker.Put).toMatchObject({ Item: { pk: 'FOLDED#c1#digest' }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(updates.map((u) => u.Update!.Key)).toEqual([{ pk: `HOLDS#c1#${hourOf(second)}` }, { pk: `HOLDS#c1#${hourOf(second) + 1}` }]);
    // Applied as DynamoDB would, then read back.
    const items = updates.map((u) => {
      const names = u.Update!.ExpressionAttributeNames!;
      const values = u.Update!.ExpressionAttributeValues!;
      const item: Record<string, unknown> = { ...u.Update!.Key };
      for (const [alias, name] of Object.entries(names)) if (alias !== '#ttl') item[name] = values[`:${alias.slice(1)}`];
      return item;
    });
    expect(toHoldsEnding(items)).toEqual(
      new Map([
        [second, 1],
        [second + 2, 2],
      ]),
    );
  });

  test('sales are one item: the totals, and a pair of attributes per date, read back by date', () => {
    const first = held(T0, 10_000, 'c1', '2026-12-24');
    const second = held(T0, 20_000, 'c1', '2026-12-25');
    const delta = foldReservationChanges([
      { changeId: '1', before: first, after: as(first, 'PAID') },
      { changeId: '2', before: second, after: as(second, 'PAID') },
    ])[0];
    const sales = foldTransactions('queue', delta, 'd', T0)[0].find((item) => item.Update?.Key?.pk === 'SALES#c1')!.Update!;
    // ADD on an empty item sets each attribute to its value.
    const item: Record<string, unknown> = { ...sales.Key };
    for (const [alias, value] of Object.entries(sales.ExpressionAttributeValues!)) {
      const name = sales.ExpressionAttributeNames?.[`#${alias.slice(1)}`] ?? alias.slice(1);
      item[name === 'sold' ? 'seatsSold' : name] = value;
    }
    expect(toSalesTally(item)).toEqual({
      seatsSold: 2,
      revenue: 30_000,
      byDate: new Map([
        ['2026-12-24', { seatsSold: 1, revenue: 10_000 }],
        ['2026-12-25', { seatsSold: 1, revenue: 20_000 }],
      ]),
    });
  });

  test('a delta spread over more than 99 hour items is folded in parts, each with its own marker', () => {
    const changes = Array.from({ length: 150 }, (_, i) => ({ changeId: `${i}`, after: held(T0 + i * 3600_000) }));
    const parts = foldTransactions('queue', foldReservationChanges(changes)[0], 'd', T0);
    expect(parts.map((part) => part.length)).toEqual([100, 52]);
    expect(parts.map((part) => part[0].Put!.Item!.pk)).toEqual(['FOLDED#c1#d-0', 'FOLDED#c1#d-1']);
  });

  test('a series point is one attribute of its hour item, read back with its time', () => {
    const point = { at: T0 + 61_000, waiting: 1, active: 2, joined: 3, admitted: 4, sold: 5, revenue: 6 };
    const update = seriesPointUpdate('queue', 'c1', point);
    const item = { ...update.Key, [update.ExpressionAttributeNames!['#point']]: update.ExpressionAttributeValues![':point'] };
    expect(toSeriesPoints([item])).toEqual([point]);
  });

  test('stream images of reservation items become changes; others none', () => {
    const image = { pk: 'USER#u', sk: 'RESERVATION#r', concertId: 'c1', date: '2026-12-24', status: 'HELD', expiresAt: T0, price: 10 };
    expect(toReservationChange('e1', undefined, image)).toEqual({ changeId: 'e1', after: held(T0, 10) });
    expect(toReservationChange('e2', { pk: 'USER#u', sk: 'HOLDSLOT#s#1' }, undefined)).toBeUndefined();
  });
});
