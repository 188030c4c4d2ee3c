/** The web page's plain rules: words for every error, the waiting room's numbers, amounts, attempts. */
import { parseRetryAfter } from '../../web/src/api';
import { attemptFor, chargeFingerprint, paymentFingerprint, settleAttempt, type Attempt, type AttemptStore } from '../../web/src/attempts';
import { formatCountdown, formatOpening, formatWait, parseAmount, priceTiers, queueProgress } from '../../web/src/format';
import { failureSentence, type FailureKind } from '../../web/src/messages';
import { parsePageConfig } from '../../web/src/page-config';
import { STATUS_OF } from '../../functions/http/responses';
import { HOLD_LIMIT_PER_SCHEDULE } from '../../functions/reservations/hold-rules';
import { MAX_RESERVATIONS_PER_PAYMENT } from '../../functions/wallet/payment';
import { MAX_BALANCE, MAX_CHARGE, MIN_CHARGE } from '../../functions/wallet/wallet-rules';
import { LIMITS } from '../../web/src/limits';

test("the page states the service's own limits", () => {
  expect(LIMITS).toEqual({
    minCharge: MIN_CHARGE,
    maxCharge: MAX_CHARGE,
    maxBalance: MAX_BALANCE,
    holdsPerSchedule: HOLD_LIMIT_PER_SCHEDULE,
    reservationsPerPayment: MAX_RESERVATIONS_PER_PAYMENT,
  });
});

describe('failure sentences', () => {
  const kinds = [...Object.keys(STATUS_OF), 'NETWORK', 'UNEXPECTED'] as FailureKind[];

  test.each(kinds)('%s reads as a sentence without the code', (kind) => {
    const sentence = failureSentence(kind, { seatNumber: 7, thing: 'date', retryAfterSeconds: 3 });
    expect(sentence).toMatch(/^[A-Z].*\.$/);
    expect(sentence).not.toContain(kind);
    expect(sentence).not.toMatch(/\b[A-Z]{2,}_[A-Z_]+\b|\b[45]\d\d\b/);
  });

  test('the losing side of a race hears which seat', () => {
    expect(failureSentence('SEAT_UNAVAILABLE', { seatNumber: 7 })).toBe(
      'Seat 7 was taken by someone else first. Please pick another seat.',
    );
    expect(failureSentence('SEAT_UNAVAILABLE')).toBe('That seat was taken by someone else first. Please pick another seat.');
  });

  test('busy answers say when to try again', () => {
    expect(failureSentence('UNAVAILABLE', { retryAfterSeconds: 5 })).toBe(
      'The service is very busy right now. Please try again in 5 seconds.',
    );
    expect(failureSentence('TOO_MANY_REQUESTS')).toBe('A lot of people are trying at once. Please try again in a moment.');
  });
});

describe('waiting room numbers', () => {
  test('progress moves from 0 at joining to 1 at the front', () => {
    expect(queueProgress(9, 9)).toBe(0);
    expect(queueProgress(9, 6)).toBeCloseTo(1 / 3);
    expect(queueProgress(9, 0)).toBe(1);
    expect(queueProgress(3, 5)).toBe(0);
  });

  test.each([
    [0, 'any moment now'],
    [45, 'less than a minute'],
    [60, 'about 1 minute'],
    [170, 'about 3 minutes'],
    [7200, 'about 2 hours'],
  ])('a wait of %d s reads "%s"', (seconds, words) => {
    expect(formatWait(seconds)).toBe(words);
  });

  test.each([
    [600_000, '10:00'],
    [59_001, '1:00'],
    [5_000, '0:05'],
    [-1_000, '0:00'],
    [3_723_000, '1:02:03'],
  ])('%d ms left counts down as %s', (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });

  test("an opening reads in the reader's own time: the time of day on the same day, with the day on another", () => {
    const now = new Date(2026, 11, 24, 9, 30).getTime(); // local times, whatever the machine's zone
    expect(formatOpening(new Date(2026, 11, 24, 10, 0).toISOString(), now)).toBe('10:00');
    expect(formatOpening(new Date(2026, 11, 26, 19, 5).toISOString(), now)).toBe('Sat 26 Dec, 19:05');
    expect(formatOpening('soon', now)).toBe('soon');
  });

  test('Retry-After in seconds or as a date', () => {
    expect(parseRetryAfter('3')).toBe(3);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:05 GMT', Date.parse('2026-11-25T10:00:00Z'))).toBe(5);
  });
});

describe('amounts', () => {
  test.each([
    ['200,000', 200_000],
    [' 50000 ', 50_000],
    ['1', 1],
    ['10_000_000', 10_000_000],
  ])('"%s" is %d KRW', (text, amount) => {
    expect(parseAmount(text, 1, 10_000_000)).toEqual({ ok: true, amount });
  });

  test.each([
    ['', 'Enter an amount in won.'],
    ['12.5', 'Enter a whole number of won, digits only (no decimals or signs).'],
    ['-5', 'Enter a whole number of won, digits only (no decimals or signs).'],
    ['0', 'Enter at least 1 KRW.'],
    ['10000001', 'You can add at most 10,000,000 KRW at a time.'],
  ])('"%s" is refused: %s', (text, problem) => {
    expect(parseAmount(text, 1, 10_000_000)).toEqual({ ok: false, problem });
  });

  test('price tiers, dearest first', () => {
    expect(priceTiers([99_000, 165_000, 132_000, 165_000])).toEqual([165_000, 132_000, 99_000]);
  });
});

describe('one Idempotency-Key per attempt', () => {
  const memoryStore = (): AttemptStore => {
    const attempts = new Map<string, Attempt>();
    return {
      read: (name) => attempts.get(name),
      write: (name, attempt) => (attempt ? attempts.set(name, attempt) : attempts.delete(name)),
    };
  };
  let keys = 0;
  const newKey = () => `key-${++keys}`;

  test('the same request keeps its key until an answer settles it', () => {
    const store = memoryStore();
    const first = attemptFor(store, 'payment', paymentFingerprint(['b', 'a']), newKey);
    settleAttempt(store, 'payment', first, true); // no answer: the same request must replay
    expect(attemptFor(store, 'payment', paymentFingerprint(['a', 'b']), newKey)).toEqual(first);
    settleAttempt(store, 'payment', first, false); // answered: the next one is a new attempt
    expect(attemptFor(store, 'payment', paymentFingerprint(['a', 'b']), newKey).key).not.toBe(first.key);
  });

  test('another request is another attempt', () => {
    const store = memoryStore();
    const first = attemptFor(store, 'charge', chargeFingerprint(10_000), newKey);
    expect(attemptFor(store, 'charge', chargeFingerprint(20_000), newKey).key).not.toBe(first.key);
  });
});

describe('page config', () => {
  test('local and deployed settings are read; anything else is refused', () => {
    expect(parsePageConfig({ apiUrl: '', signIn: { kind: 'local' } })).toEqual({ apiUrl: '', signIn: { kind: 'local' } });
    const cognito = { kind: 'cognito', region: 'eu-west-1', userPoolId: 'eu-west-1_abc', userPoolClientId: 'client' };
    expect(parsePageConfig({ apiUrl: 'https://api.example/', signIn: cognito })).toEqual({
      apiUrl: 'https://api.example',
      signIn: cognito,
    });
    expect(() => parsePageConfig({ apiUrl: 'x', signIn: { kind: 'cognito' } })).toThrow('unknown sign-in kind');
    expect(() => parsePageConfig(null)).toThrow('lacks apiUrl');
  });
});
