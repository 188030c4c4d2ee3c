import type { Item } from '../shared/dynamodb-item';
import { queueKeys } from './queue-keys';

/** One ACTIVE check's items, and when the read that fetched them began (epoch ms). */
export interface TokenCheckRead {
  readonly token?: Item;
  readonly admission?: Item;
  readonly at: number;
}

interface Waiting {
  readonly concertId: string;
  readonly userId: string;
  readonly resolve: (read: TokenCheckRead) => void;
  readonly reject: (error: unknown) => void;
}

/** ACTIVE-check reads in flight at once from one instance; checks past them wait and share the next read. */
const MAX_IN_FLIGHT = 2;
/** BatchGetItem's limit of keys per call. */
const MAX_KEYS = 100;

/**
 * The token items and admission records of ACTIVE checks, read with consistent reads in one
 * BatchGetItem per round. A check that asks while MAX_IN_FLIGHT reads are in flight waits for one
 * to land and shares the next: its own token item and its concert's admission record, read once for
 * every check of that concert in the round. Never a read already sent, so what each check gets was
 * read after it asked: as fresh as a call of its own, only the calls are fewer (a 200-user seat race
 * makes a handful instead of 200).
 * A Lambda instance serves one request at a time, so deployed each check still makes its own call;
 * the local server, which serves a whole race in one process, makes a few per round trip.
 */
export function createTokenCheckReads(batchGet: (keys: Item[]) => Promise<Item[]>) {
  let waiting: Waiting[] = [];
  let inFlight = 0;

  function send(): void {
    if (waiting.length === 0 || inFlight >= MAX_IN_FLIGHT) return;
    // Checks in order of asking, while their keys fit one call (a concert's record counts once).
    const keys = new Set<string>();
    let taken = 0;
    for (const check of waiting) {
      const wanted = [queueKeys.token(check.concertId, check.userId).pk, queueKeys.admission(check.concertId).pk];
      const added = wanted.filter((key) => !keys.has(key)).length;
      if (taken > 0 && keys.size + added > MAX_KEYS) break;
      for (const key of wanted) keys.add(key);
      taken++;
    }
    const round = waiting.slice(0, taken);
    waiting = waiting.slice(taken);
    inFlight++;
    const at = Date.now();
    batchGet([...keys].map((pk) => ({ pk })))
      .then(
        (items) => {
          const byKey = new Map(items.map((item) => [item.pk as string, item]));
          for (const check of round) {
            check.resolve({
              token: byKey.get(queueKeys.token(check.concertId, check.userId).pk),
              admission: byKey.get(queueKeys.admission(check.concertId).pk),
              at,
            });
          }
        },
        (error: unknown) => round.forEach((check) => check.reject(error)),
      )
      .finally(() => {
        inFlight--;
        send();
      });
    send();
  }

  return {
    /** This user's token item and the concert's admission record, both read after this call. */
    read(concertId: string, userId: string): Promise<TokenCheckRead> {
      return new Promise((resolve, reject) => {
        waiting.push({ concertId, userId, resolve, reject });
        send();
      });
    },
  };
}
