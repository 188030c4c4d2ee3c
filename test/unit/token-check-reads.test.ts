import { queueKeys } from '../../functions/queue/queue-keys';
import { createTokenCheckReads } from '../../functions/queue/token-check-reads';
import type { Item } from '../../functions/shared/dynamodb-item';

/** A BatchGetItem that answers when told, recording which keys each call asked for and the order of events. */
function pendingBatchGet(items: Item[]) {
  const calls: { keys: string[]; answer: () => void; fail: (error: Error) => void }[] = [];
  const events: string[] = [];
  const batchGet = (keys: Item[]) =>
    new Promise<Item[]>((resolve, reject) => {
      const asked = keys.map((key) => key.pk as string);
      events.push(`call ${calls.length}`);
      calls.push({
        keys: asked,
        answer: () => resolve(items.filter((item) => asked.includes(item.pk as string))),
        fail: reject,
      });
    });
  return { batchGet, calls, events };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the ACTIVE checks of one instance share reads', () => {
  const token = (concertId: string, userId: string) => ({ ...queueKeys.token(concertId, userId), token: `${concertId}/${userId}` });
  const admission = (concertId: string) => ({ ...queueKeys.admission(concertId), admittedThrough: 7 });

  test('a check never shares a read sent before it asked: past two in flight, it waits and shares the next', async () => {
    const db = pendingBatchGet([token('c1', 'a'), token('c1', 'b'), token('c1', 'c'), token('c2', 'd'), admission('c1'), admission('c2')]);
    const reads = createTokenCheckReads(db.batchGet);
    const asked = (name: string) => {
      db.events.push(`ask ${name}`);
      return reads.read(name === 'd' ? 'c2' : 'c1', name);
    };
    const a = asked('a');
    const b = asked('b');
    const c = asked('c');
    const d = asked('d');
    // a and b each went at once; c and d wait for one of them to land, then go together.
    expect(db.events).toEqual(['ask a', 'call 0', 'ask b', 'call 1', 'ask c', 'ask d']);
    db.calls[1].answer();
    await settle();
    expect(db.events).toEqual(['ask a', 'call 0', 'ask b', 'call 1', 'ask c', 'ask d', 'call 2']);
    expect(db.calls[2].keys.sort()).toEqual(
      [queueKeys.token('c1', 'c').pk, queueKeys.admission('c1').pk, queueKeys.token('c2', 'd').pk, queueKeys.admission('c2').pk].sort(),
    );
    db.calls[0].answer();
    db.calls[2].answer();
    expect(await a).toMatchObject({ token: { token: 'c1/a' }, admission: { admittedThrough: 7 } });
    expect(await b).toMatchObject({ token: { token: 'c1/b' } });
    expect(await c).toMatchObject({ token: { token: 'c1/c' }, admission: { pk: queueKeys.admission('c1').pk } });
    expect(await d).toMatchObject({ token: { token: 'c2/d' }, admission: { pk: queueKeys.admission('c2').pk } });
  });

  test('a check whose token item is gone gets none; a failed read fails only the checks it carried', async () => {
    const db = pendingBatchGet([admission('c1')]);
    const reads = createTokenCheckReads(db.batchGet);
    const gone = reads.read('c1', 'a');
    const failed = reads.read('c1', 'b');
    db.calls[0].answer();
    db.calls[1].fail(new Error('ThrottlingException'));
    expect(await gone).toMatchObject({ token: undefined, admission: { admittedThrough: 7 } });
    await expect(failed).rejects.toThrow('ThrottlingException');
  });

  test('a round takes at most 100 keys: the rest go in the next', async () => {
    const db = pendingBatchGet([]);
    const reads = createTokenCheckReads(db.batchGet);
    const first = [reads.read('c1', 'x'), reads.read('c1', 'y')];
    const many = Array.from({ length: 150 }, (_, i) => reads.read('c1', `u${i}`));
    db.calls[0].answer();
    await settle();
    // 99 tokens and the concert's record, then the other 51 and the record again.
    expect(db.calls[2].keys).toHaveLength(100);
    db.calls[1].answer();
    await settle();
    expect(db.calls[3].keys).toHaveLength(52);
    for (const call of db.calls.slice(2)) call.answer();
    await Promise.all([...first, ...many]);
    expect(db.calls).toHaveLength(4);
  });
});
