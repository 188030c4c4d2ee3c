/**
 * The service's limits the page states and checks before sending. Kept here, not imported from
 * functions/: the page must not bundle server modules (they may use Node.js). A unit test
 * (test/unit/web-page-rules.test.ts) holds each one equal to the service's own constant.
 */
export const LIMITS = {
  /** Smallest and largest single charge, KRW. */
  minCharge: 1,
  maxCharge: 10_000_000,
  /** Largest balance, KRW. */
  maxBalance: 100_000_000,
  /** Live holds per user per date. */
  holdsPerSchedule: 4,
  /** Reservations paid together at most. */
  reservationsPerPayment: 4,
} as const;
