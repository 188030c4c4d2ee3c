import * as z from 'zod/mini';
import { SETTING_LIMITS } from '../queue/waiting-room-rules';
import '../shared/zod-messages';

const wholeNumber = ({ min, max }: { readonly min: number; readonly max: number }) => z.int().check(z.minimum(min), z.maximum(max));
/** An ISO-8601 time (a UTC offset other than Z is accepted and stored as the same instant), or null to unset. */
const timeOrNull = z.nullable(z.iso.datetime({ offset: true }).register(z.globalRegistry, { example: '2026-12-24T10:00:00.000Z' }));

/** `PATCH /admin/concerts/{concertId}/waiting-room`: any subset of the writable fields; anything else is 400. */
export const waitingRoomPatchSchema = z
  .strictObject({
    joining: z.optional(z.enum(['OPEN', 'CLOSED'])),
    admission: z.optional(z.enum(['RUNNING', 'PAUSED'])),
    admitPerMinute: z.optional(wholeNumber(SETTING_LIMITS.admitPerMinute)),
    maxActive: z.optional(wholeNumber(SETTING_LIMITS.maxActive)),
    activeSeconds: z.optional(wholeNumber(SETTING_LIMITS.activeSeconds)),
    holdSeconds: z.optional(wholeNumber(SETTING_LIMITS.holdSeconds)),
    preQueueOpensAt: z.optional(timeOrNull),
    saleOpensAt: z.optional(timeOrNull),
    challengeWork: z.optional(wholeNumber(SETTING_LIMITS.challengeWork)),
  })
  .register(z.globalRegistry, { id: 'WaitingRoomSettingsChange' });

/**
 * `If-Match: "<revision>"` (an entity tag, as `ETag` answers it; a bare number is taken too).
 * Absent or `*`: no precondition.
 */
export const ifMatchHeaderSchema = z.object({
  'if-match': z.optional(
    z.pipe(
      z.string().check(z.regex(/^(?:\*|"\d{1,15}"|\d{1,15})$/, 'must be the settings\' revision in quotes, e.g. "3", as ETag gives it')),
      z.transform((tag) => (tag === '*' ? undefined : Number(tag.replaceAll('"', '')))),
    ),
  ),
});

/** The `ETag` of a settings answer: its revision, quoted. */
export const etagOf = (revision: number) => `"${revision}"`;
