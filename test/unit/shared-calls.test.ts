import { createSharedCalls } from '../../functions/shared/shared-calls';

/** Calls that answer when told, each recording the asks it carried. */
function pendingCalls() {
  const calls: { asks: readonly number[]; answer: () => void; fail: (error: Error) => void }[] = [];
  const call = (asks: readonly number[]) =>
    new Promise<readonly number[]>((resolve, reject) => {
      calls.push({ asks, answer: () => resolve(asks.map((ask) => ask * 10)), fail: reject });
    });
  return { call, calls };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('calls shared by asks made at once', () => {
  test('past maxInFlight, the asks of a group wait and share the next call; other groups do not wait', async () => {
    const db = pendingCalls();
    const ask = createSharedCalls({ maxInFlight: 1, call: db.call });
    const answers = [ask('a', 1), ask('a', 2), ask('a', 3), ask('b', 4)];
    expect(db.calls.map((call) => call.asks)).toEqual([[1], [4]]);
    db.calls[0].answer();
    await settle();
    expect(db.calls.map((call) => call.asks)).toEqual([[1], [4], [2, 3]]);
    db.calls[1].answer();
    db.calls[2].answer();
    await expect(Promise.all(answers)).resolves.toEqual([10, 20, 30, 40]);
  });

  test('a call carries only the asks that fit, the rest go in the next free call, and a failure fails only its own asks', async () => {
    const db = pendingCalls();
    const ask = createSharedCalls({ maxInFlight: 1, call: db.call, fit: (asks) => Math.min(2, asks.length) });
    const first = ask('g', 1);
    const rest = [ask('g', 2), ask('g', 3), ask('g', 4)];
    db.calls[0].fail(new Error('throttled'));
    await expect(first).rejects.toThrow('throttled');
    await settle();
    expect(db.calls.map((call) => call.asks)).toEqual([[1], [2, 3]]);
    db.calls[1].answer();
    await settle();
    expect(db.calls.map((call) => call.asks)).toEqual([[1], [2, 3], [4]]);
    db.calls[2].answer();
    await expect(Promise.all(rest)).resolves.toEqual([20, 30, 40]);
  });
});
