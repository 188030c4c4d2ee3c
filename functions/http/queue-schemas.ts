import * as z from 'zod/mini';
import { MAX_PAYLOAD_LENGTH } from '../queue/join-challenge';
import '../shared/zod-messages';

/**
 * `POST /concerts/{concertId}/queue`: no body, `{}`, or the solved challenge of a protected concert
 * (`altcha`: base64 of `{challenge, solution}`, as the ALTCHA widget submits it).
 */
export const joinBodySchema = z.optional(z.strictObject({ altcha: z.optional(z.string().check(z.maxLength(MAX_PAYLOAD_LENGTH))) }));
