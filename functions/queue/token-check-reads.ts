import type { Item } from '../shared/dynamodb-item';
import { createSharedCalls } from '../shared/shared-calls';
import { queueKeys } from './queue-keys';

/** One ACTIVE check's items, and when the read that fetched them began (epoch ms). */
export interface TokenCheckRead {
  readonly token?: Item;
  readonly admission?: Item;
  readonly at: number;
}

interface Check {
  readonly concertId: string;
  readonly userId: string;
}

/** ACTIVE-check reads in flight at once from one instance; checks past them wait and share the next read. */
const MAX_IN_FLIGHT = 2;
/** BatchGetItem's limit of keys per call. */
const MAX_KEYS = 100;

/**
 * The token items and admission records of ACTIVE checks, read with consistent reads in one
 * BatchGetItem per round (createSharedCalls): a check that asks while MAX_IN_FLIGHT reads are in
 * flight waits for one to land and shares the next, its own token item and its concert's admission
 * record, read once for every check of that concert in the round. What each check gets was read
 * after it asked: as fresh as a call of its own, only the calls are fewer (a 200-user seat race
 * makes a handful instead of 200).
 */
export function createTokenCheckReads(batchGet: (keys: Item[]) => Promise<Item[]>) {
  const keysOf = (check: Check) => [queueKeys.token(check.concertId, check.userId).pk, queueKeys.admission(check.concertId).pk];
  const read = createSharedCalls<Check, TokenCheckRead>({
    maxInFlight: MAX_IN_FLIGHT,
    // Checks in order of asking, while their keys fit one call (a concert's record counts once).
    fit(checks) {
      const keys = new Set<string>();
      let taken = 0;
      for (const check of checks) {
        const wanted = keysOf(check);
        const added = wanted.filter((key) => !keys.has(key)).length;
        if (taken > 0 && keys.size + added > MAX_KEYS) break;
        for (const key of wanted) keys.add(key);
        taken++;
      }
      return taken;
    },
    async call(checks) {
      const at = Date.now();
      const items = await batchGet([...new Set(checks.flatMap(keysOf))].map((pk) => ({ pk })));
      const byKey = new Map(items.map((item) => [item.pk as string, item]));
      return checks.map((check) => {
        const [token, admission] = keysOf(check);
        return { token: byKey.get(token), admission: byKey.get(admission), at };
      });
    },
  });

  return {
    /** This user's token item and the concert's admission record, both read after this call. */
    read: (concertId: string, userId: string): Promise<TokenCheckRead> => read('', { concertId, userId }),
  };
}
