/**
 * The service under test, in its own process as a Lambda would be: the local runtime (the same
 * handlers behind the local API Gateway adapter) with a DynamoDB call counter on its one client.
 * The bench process drives it over HTTP and reads the counter over IPC.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import '../local/quiet-sdk-warning';
import { startLocalRuntime } from '../local/runtime';
import { callsSettled, countDynamoDbCalls, type CallCounter, type DynamoDbCall } from './dynamodb-calls';
import type { CallSummary, ServerReply, ServerRequest } from './server-protocol';

async function main(): Promise<void> {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  const tablePrefix = process.env.BENCH_TABLE_PREFIX;
  if (!endpoint || !tablePrefix) throw new Error('DYNAMODB_ENDPOINT and BENCH_TABLE_PREFIX must be set');
  // Loaded after the environment is complete: the client reads DYNAMODB_ENDPOINT when created.
  const { documentClient } = require('../functions/shared/dynamodb-client') as typeof import('../functions/shared/dynamodb-client');
  const runtime = await startLocalRuntime({ endpoint, port: 0, jobIntervalSeconds: 0, tablePrefix, seed: true });
  // The bench runs the admission job itself, once a second: wait estimates and Retry-After follow that rate.
  process.env.JOB_INTERVAL_SECONDS = process.env.BENCH_ADMISSION_INTERVAL_SECONDS ?? '1';
  // The streams' consumers run once a second, as npm start's do (deployed, functions of their own): the
  // wallet's writes pending charges out (without it every charge stays on its balance item, and charges
  // slow as the items grow), the reservations' folds holds and sales into the stats' counters. Their
  // calls are off the request path, so the counter leaves them out.
  const ledger = new AsyncLocalStorage<true>();
  let ledgerPoll: Promise<unknown> | undefined;
  const ledgerTimer = setInterval(() => {
    ledgerPoll ??= ledger
      .run(true, () => runtime.pollStreams())
      .catch((error: unknown) => console.error(`[bench server] table streams: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => (ledgerPoll = undefined));
  }, 1000);

  // The counter is on the client only while a window is open: it costs each call some CPU (and a
  // ReturnConsumedCapacity answer, when asked for), which is the bench's, not the service's.
  let counter: CallCounter | undefined;
  let keepCalls = false;
  let summary = emptySummary();
  let folded = new WeakSet<DynamoDbCall>();
  const collect = () => {
    if (!counter) return;
    // Folds answered calls into the window's summary; keeps the records themselves only when asked to.
    for (const call of counter.records) {
      if (call.endedAt === 0 || folded.has(call)) continue;
      addToSummary(summary, call);
      folded.add(call);
    }
    if (!keepCalls) {
      const unanswered = counter.records.filter((call) => call.endedAt === 0);
      counter.records.splice(0, counter.records.length, ...unanswered);
      counter.calls.splice(0, counter.calls.length);
    }
  };
  const flushTimer = setInterval(collect, 200);

  process.on('message', (message: ServerRequest) => {
    const reply = (body: Omit<ServerReply, 'id'>) => process.send?.({ id: message.id, ...body });
    switch (message.op) {
      case 'window:start':
        counter?.detach();
        counter = countDynamoDbCalls(documentClient, {
          capacity: message.capacity,
          inputs: message.keepCalls,
          ignore: () => ledger.getStore() === true,
        });
        folded = new WeakSet();
        summary = emptySummary();
        keepCalls = message.keepCalls;
        reply({ ok: true });
        break;
      case 'window:take':
        // A request may answer before every call it started has (a refused hold gives its claim back
        // after answering): those land first, for up to 2 s, so the window counts them whole.
        void callsSettled(counter, 2000).then(() => {
          collect();
          const unanswered = counter?.records.filter((call) => call.endedAt === 0).length ?? 0;
          if (unanswered > 0)
            console.error(`[bench server] ${unanswered} DynamoDB call(s) still unanswered after 2 s, left out of the window`);
          const calls = keepCalls ? counter?.records.filter((call) => call.endedAt !== 0).map((call) => ({ ...call })) : undefined;
          counter?.detach();
          counter = undefined;
          reply({ ok: true, summary, calls });
        });
        break;
      case 'stop':
        clearInterval(flushTimer);
        clearInterval(ledgerTimer);
        void Promise.resolve(ledgerPoll)
          .then(() => runtime.stop())
          .then(() => {
            reply({ ok: true });
            process.exit(0);
          });
        break;
    }
  });
  process.send?.({ id: 0, ok: true, url: runtime.url });
}

function emptySummary(): CallSummary {
  return { calls: 0, readCapacity: 0, writeCapacity: 0, errors: 0, byCommand: {}, failedByCommand: {} };
}

function addToSummary(summary: CallSummary, call: DynamoDbCall): void {
  summary.calls++;
  summary.readCapacity += call.readCapacity;
  summary.writeCapacity += call.writeCapacity;
  summary.byCommand[call.command] = (summary.byCommand[call.command] ?? 0) + 1;
  if (call.error) {
    summary.errors++;
    summary.failedByCommand[call.command] = (summary.failedByCommand[call.command] ?? 0) + 1;
  }
}

main().catch((error: unknown) => {
  console.error(`[bench server] ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
