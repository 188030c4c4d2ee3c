import * as z from 'zod/mini';
import { MAX_PAYLOAD_LENGTH } from '../queue/join-challenge';
import '../shared/zod-messages';

/**
 * `POST /concerts/{concertId}/queue`: no body, `{}`, or the solved challenge of a protected concert
 * (`altcha`: base64 of `{challenge, solution}`, as the ALTCHA widget submits it).
 */
export const joinBodySchema = z.optional(z.strictObject({ altcha: z.optional(z.string().check(z.maxLength(MAX_PAYLOAD_LENGTH))) }));

/** A user id as a JWT's `sub` carries it: a Cognito user's UUID, or a local user's name. */
const userIdSchema = z
  .string()
  .check(z.minLength(1), z.maxLength(128), z.regex(/^[\x21-\x7e]+$/, 'must be 1-128 printable ASCII characters, no spaces'));

/** `POST /admin/concerts/{concertId}/queue/revocations`. */
export const revocationBodySchema = z
  .strictObject({
    userId: userIdSchema.register(z.globalRegistry, { description: "the user's id (their JWT's `sub`)" }),
    ban: z
      .optional(z.boolean())
      .register(z.globalRegistry, { description: "also refuse the user's joins to this concert (403 QUEUE_BANNED)" }),
  })
  .register(z.globalRegistry, { id: 'RevocationRequest' });
