import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface CallCounter {
  /** Command names of the DynamoDB calls made since the last reset, in order (retries not counted). */
  readonly calls: string[];
  reset(): void;
  detach(): void;
}

let counters = 0;

/** Counts the DynamoDB calls a client makes: the cost the issues measure. */
export function countDynamoDbCalls(client: DynamoDBDocumentClient): CallCounter {
  const calls: string[] = [];
  const name = `callCounter${++counters}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name },
  );
  return {
    calls,
    reset: () => calls.splice(0, calls.length),
    detach: () => client.middlewareStack.remove(name),
  };
}
