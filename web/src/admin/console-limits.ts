/** The service's limits the console checks before sending (test/unit/console-rules.test.ts holds them equal to the service's). */
export const CONSOLE_LIMITS = {
  maxSeatsPerDate: 1000,
  maxDates: 100,
  maxSeatPrice: 10_000_000,
  maxTextLength: 200,
} as const;

/** The group the admin routes require (functions/http/route-table.ts, ADMIN_GROUP). */
export const OPERATOR_GROUP = 'admin';
