import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { salesCounter } from '../stats/default-stats-deps';
import { toReservationChange } from '../stats/stats-keys';
import { foldReservationChanges, isEmptyDelta, type ReservationChange } from '../stats/stats-rules';
import { log, withLogContext } from '../shared/logger';

const imageOf = (image: unknown) => (image ? unmarshall(image as Record<string, AttributeValue>) : undefined);

/**
 * The reservations table's stream consumer (an event source mapping deployed, given reservation
 * items only; local/table-stream.ts polls DynamoDB Local's stream and calls this same handler):
 * folds the batch's changes of status into each concert's sales counters, one transaction per
 * concert. Holds, payments and releases never write these counters themselves, so they add no
 * contention to a rush. A batch delivered again (this one failed part way, or died after writing)
 * finds the marker of every concert it folded already and folds only the others; a failure throws,
 * and the batch is delivered again whole.
 */
export const handler = async (event: DynamoDBStreamEvent, context?: Pick<Context, 'awsRequestId'>) =>
  withLogContext({ requestId: context?.awsRequestId ?? randomUUID(), job: 'sales-counter' }, async () => {
    const changes = event.Records.map((record) =>
      toReservationChange(record.eventID ?? '', imageOf(record.dynamodb?.OldImage), imageOf(record.dynamodb?.NewImage)),
    ).filter((change): change is ReservationChange => change !== undefined && change.changeId !== '');
    const deltas = foldReservationChanges(changes).filter((delta) => !isEmptyDelta(delta));
    const now = Date.now();
    const outcomes = await Promise.all(deltas.map((delta) => salesCounter().foldSales(delta, now)));
    const repeated = outcomes.filter((outcome) => outcome === 'alreadyFolded').length;
    if (repeated > 0) log.info('batch delivered again: folded before', { concerts: repeated });
    return { changes: changes.length, concerts: deltas.length, repeated };
  });
