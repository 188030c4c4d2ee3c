/** The operator console's plain rules: a seat map from tiers, the settings form and its confirmations, the chart lines. */
import { MAX_SCHEDULES_PER_CONCERT, MAX_SEAT_PRICE, MAX_SEATS_PER_SCHEDULE } from '../../functions/catalogue/concert-rules';
import { ADMIN_GROUP } from '../../functions/http/route-table';
import { SETTING_LIMITS } from '../../functions/queue/waiting-room-rules';
import { CONSOLE_LIMITS, OPERATOR_GROUP } from '../../web/src/admin/console-limits';
import type { WaitingRoomFields } from '../../web/src/admin/console-types';
import { checkConcertForm, seatsOf, tierRanges } from '../../web/src/admin/seat-tiers';
import {
  changedFields,
  describeValue,
  disruptions,
  formatSeconds,
  fromLocalInput,
  readSettingsForm,
  SETTING_RANGES,
  toLocalInput,
} from '../../web/src/admin/settings-rules';
import { chartLines, compactNumber } from '../../web/src/admin/stats-series';
import { parsePageConfig } from '../../web/src/page-config';

test("the console states the service's own limits and admin group", () => {
  expect(CONSOLE_LIMITS).toMatchObject({
    maxSeatsPerDate: MAX_SEATS_PER_SCHEDULE,
    maxDates: MAX_SCHEDULES_PER_CONCERT,
    maxSeatPrice: MAX_SEAT_PRICE,
  });
  expect(OPERATOR_GROUP).toBe(ADMIN_GROUP);
  expect(SETTING_RANGES).toEqual(SETTING_LIMITS);
});

describe('a new concert from tiers', () => {
  const form = {
    title: ' Spring Gala ',
    venue: 'Lotte Concert Hall',
    dates: ['2027-04-01', '2027-04-02'],
    tiers: [
      { rows: '1', seatsPerRow: '10', price: '150,000' },
      { rows: '2', seatsPerRow: '10', price: '120000' },
    ],
  };

  test('seats are numbered from 1, tier by tier, and every date gets the same map', () => {
    const check = checkConcertForm(form);
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.body.title).toBe('Spring Gala');
    expect(check.body.schedules.map((schedule) => schedule.date)).toEqual(['2027-04-01', '2027-04-02']);
    const seats = check.body.schedules[0].seats;
    expect(seats).toHaveLength(30);
    expect(seats[0]).toEqual({ seatNumber: 1, price: 150_000 });
    expect(seats[9]).toEqual({ seatNumber: 10, price: 150_000 });
    expect(seats[10]).toEqual({ seatNumber: 11, price: 120_000 });
    expect(seats[29]).toEqual({ seatNumber: 30, price: 120_000 });
    expect(check.body.schedules[1].seats).toEqual(seats);
    expect(
      tierRanges([
        { rows: 1, seatsPerRow: 10, price: 150_000 },
        { rows: 2, seatsPerRow: 10, price: 120_000 },
      ]),
    ).toEqual([
      { first: 1, last: 10, price: 150_000 },
      { first: 11, last: 30, price: 120_000 },
    ]);
  });

  test('every problem is named by its field, and nothing is built', () => {
    const check = checkConcertForm({
      title: 'Gala\nNight',
      venue: '  ',
      dates: ['2027-02-30', '2027-04-01', '2027-04-01'],
      tiers: [
        { rows: '0', seatsPerRow: '10', price: '1.5' },
        { rows: '30', seatsPerRow: '40', price: '100' },
      ],
    });
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.problems.map((problem) => problem.field)).toEqual([
      'title',
      'venue',
      'dates.0',
      'dates.2',
      'tiers.0.rows',
      'tiers.0.price',
      'seats',
    ]);
    expect(check.problems.find((problem) => problem.field === 'seats')?.message).toBe(
      'A date has at most 1,000 seats; these tiers make 1,200.',
    );
  });

  test('a concert needs a date and a tier', () => {
    const check = checkConcertForm({ ...form, dates: [], tiers: [] });
    expect(check.ok ? [] : check.problems.map((problem) => problem.field)).toEqual(['dates', 'tiers']);
    expect(seatsOf([])).toEqual([]);
  });
});

describe('waiting-room settings', () => {
  const current: WaitingRoomFields = {
    joining: 'OPEN',
    admission: 'RUNNING',
    admitPerMinute: 600,
    maxActive: 1000,
    activeSeconds: 600,
    holdSeconds: 300,
    preQueueOpensAt: null,
    saleOpensAt: null,
    challengeWork: 0,
  };
  const iso = (value: string) => value;

  test('only what differs is sent', () => {
    expect(changedFields(current, { ...current, admitPerMinute: 900 })).toEqual({ admitPerMinute: 900 });
    expect(changedFields(current, current)).toEqual({});
  });

  test('pausing, closing, shorter turns or holds and scheduling ask first; the rest does not', () => {
    expect(disruptions(current, { admission: 'PAUSED' }, iso)).toHaveLength(1);
    expect(disruptions(current, { joining: 'CLOSED' }, iso)).toHaveLength(1);
    expect(disruptions(current, { activeSeconds: 300 }, iso)).toEqual([
      'Turns get shorter: 5 min instead of 10 min for people admitted from now on.',
    ]);
    expect(disruptions(current, { holdSeconds: 90 }, iso)).toEqual([
      'Holds get shorter: 1 min 30 s instead of 5 min for seats held from now on.',
    ]);
    expect(disruptions(current, { saleOpensAt: '2027-04-01T10:00:00.000Z' }, iso)).toEqual([
      'Sale opens at: 2027-04-01T10:00:00.000Z. Nobody is admitted before then.',
    ]);
    expect(disruptions({ ...current, preQueueOpensAt: '2027-04-01T09:00:00.000Z' }, { preQueueOpensAt: null }, iso)).toEqual([
      'Pre-queue opens at: no longer scheduled (was 2027-04-01T09:00:00.000Z).',
    ]);
    for (const harmless of [
      { admission: 'RUNNING' },
      { joining: 'OPEN' },
      { activeSeconds: 900, holdSeconds: 600 },
      { admitPerMinute: 10, maxActive: 5, challengeWork: 5000 },
    ] as const) {
      expect(disruptions({ ...current, admission: 'PAUSED', joining: 'CLOSED' }, harmless, iso)).toEqual([]);
    }
  });

  test('the form is read against the contract’s ranges', () => {
    const values = {
      admitPerMinute: '1,200',
      maxActive: '1000',
      activeSeconds: '600',
      holdSeconds: '300',
      challengeWork: '0',
      preQueueOpensAt: '',
      saleOpensAt: '',
    };
    expect(readSettingsForm(values)).toEqual({
      ok: true,
      fields: {
        admitPerMinute: 1200,
        maxActive: 1000,
        activeSeconds: 600,
        holdSeconds: 300,
        challengeWork: 0,
        preQueueOpensAt: null,
        saleOpensAt: null,
      },
    });
    const bad = readSettingsForm({ ...values, activeSeconds: '59', holdSeconds: '1801', admitPerMinute: '0', challengeWork: '-1' });
    expect(bad.ok ? [] : bad.problems.map((problem) => problem.field)).toEqual([
      'admitPerMinute',
      'activeSeconds',
      'holdSeconds',
      'challengeWork',
    ]);
    const order = readSettingsForm({ ...values, preQueueOpensAt: '2027-04-01T10:00', saleOpensAt: '2027-04-01T09:00' });
    expect(order.ok ? [] : order.problems).toEqual([
      { field: 'preQueueOpensAt', message: 'The pre-queue must open at or before the sale.' },
    ]);
  });

  test("times go through the reader's time zone and back unchanged", () => {
    const at = '2027-04-01T09:30:00.000Z';
    expect(fromLocalInput(toLocalInput(at))).toBe(at);
    expect(toLocalInput(null)).toBe('');
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('tomorrow')).toBeUndefined();
  });

  test('values read as words', () => {
    expect(formatSeconds(45)).toBe('45 s');
    expect(formatSeconds(3600)).toBe('60 min');
    expect(describeValue('admission', 'PAUSED', iso)).toBe('paused');
    expect(describeValue('challengeWork', 0, iso)).toBe('off');
    expect(describeValue('admitPerMinute', 1200, iso)).toBe('1,200 a minute');
    expect(describeValue('saleOpensAt', null, iso)).toBe('not scheduled');
  });
});

describe('chart lines from the stats series', () => {
  const point = (minute: number, admitted: number, extra: Partial<Record<'waiting' | 'sold' | 'revenue', number>> = {}) => ({
    at: new Date(Date.UTC(2027, 3, 1, 10, minute)).toISOString(),
    waiting: extra.waiting ?? 0,
    active: 0,
    joined: 0,
    admitted,
    sold: extra.sold ?? 0,
    revenue: extra.revenue ?? 0,
  });

  test('in time order; admitted per minute is the rise of the total over the minutes between points', () => {
    const lines = chartLines([point(2, 250), point(0, 0), point(1, 100, { waiting: 40, sold: 3, revenue: 450_000 })]);
    expect(lines.x).toEqual([0, 60, 120].map((s) => Date.UTC(2027, 3, 1, 10) / 1000 + s));
    expect(lines.admittedPerMinute).toEqual([null, 100, 150]);
    expect(lines.waiting).toEqual([0, 40, 0]);
    expect(lines.sold).toEqual([0, 3, 0]);
    expect(lines.revenue).toEqual([0, 450_000, 0]);
  });

  test('points closer than a minute give a rate per minute', () => {
    const at = (seconds: number, admitted: number) => ({
      ...point(0, admitted),
      at: new Date(Date.UTC(2027, 3, 1, 10, 0, seconds)).toISOString(),
    });
    expect(chartLines([at(0, 0), at(10, 5)]).admittedPerMinute).toEqual([null, 30]);
  });

  test('axis numbers stay short', () => {
    expect([950, 12_500, 3_200_000, 1_500_000_000, 2.25].map(compactNumber)).toEqual(['950', '12.5k', '3.2M', '1.5B', '2.3']);
  });
});

test('config.json may name the operators’ own sign-in', () => {
  const cognito = (pool: string) => ({ kind: 'cognito', region: 'eu-west-1', userPoolId: pool, userPoolClientId: 'client' });
  expect(parsePageConfig({ apiUrl: '/api', signIn: cognito('buyers'), adminSignIn: cognito('operators') })).toEqual({
    apiUrl: '/api',
    signIn: cognito('buyers'),
    adminSignIn: cognito('operators'),
  });
  expect(() => parsePageConfig({ apiUrl: '/api', signIn: cognito('buyers'), adminSignIn: { kind: 'cognito' } })).toThrow(
    'unknown sign-in kind',
  );
});
