import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { UnavailableError } from './errors';

/** One item's verdict in a cancelled TransactWriteItems, in the order the items were sent. */
export interface Cancellation {
  /** `None` (this item was fine), `ConditionalCheckFailed`, `TransactionConflict`, … */
  readonly code: string;
  /** The item as it was, when the item asked for it (ReturnValuesOnConditionCheckFailure: ALL_OLD) and it exists. */
  readonly item?: Record<string, unknown>;
}

const SHEDDING_LOAD = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/**
 * The per-item reasons of a cancelled transaction, or undefined when `error` is something else.
 * A transaction cancelled because DynamoDB was shedding load is a 503, never a verdict.
 */
export function transactionCancellations(error: unknown): Cancellation[] | undefined {
  const cancelled = error as { name?: string; CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[] };
  if (cancelled?.name !== 'TransactionCanceledException' || !cancelled.CancellationReasons) return undefined;
  const reasons = cancelled.CancellationReasons.map((reason) => ({
    code: reason.Code ?? 'None',
    ...(reason.Item ? { item: unmarshall(reason.Item) } : {}),
  }));
  if (reasons.some((reason) => SHEDDING_LOAD.has(reason.code))) throw new UnavailableError(1, { cause: error });
  return reasons;
}

export const failedCondition = (cancellation: Cancellation | undefined) => cancellation?.code === 'ConditionalCheckFailed';
