/**
 * The Web Worker that solves a join's proof-of-work challenge, off the page's thread: altcha-lib's
 * own worker loop (it tries the counters it is given until a key matches, and stops when told to)
 * over the browser's WebCrypto PBKDF2.
 */
import { deriveKey } from 'altcha-lib/algorithms/web/pbkdf2';
import { handler } from 'altcha-lib/workers/shared';

handler({ deriveKey });
