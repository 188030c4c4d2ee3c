import { IdempotencyItemAlreadyExistsError, IdempotencyRecordStatus } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { tableName } from '../shared/config';
import { dynamoDbClient } from '../shared/dynamodb-client';
import { tableDefinition } from '../shared/tables';

/**
 * Powertools' DynamoDB layer, except that a claim whose answer was lost and that the SDK sent
 * again finds its own record and counts as claimed. The resend is the same bytes: the same body
 * hash and the same in-progress expiry, to the millisecond. Without this, a request would wait
 * for itself and answer 409 IDEMPOTENCY_KEY_IN_USE until its own record's in-flight time ran out.
 * (Another request with the same key and body claiming in the same millisecond would also pass;
 * the business writes are keyed themselves, so it still cannot take effect twice.)
 */
export class ResendAwareDynamoDBPersistenceLayer extends DynamoDBPersistenceLayer {
  protected override async _putRecord(record: IdempotencyRecord): Promise<void> {
    try {
      await super._putRecord(record);
    } catch (error) {
      const existing = error instanceof IdempotencyItemAlreadyExistsError ? error.existingRecord : undefined;
      const ours =
        existing !== undefined &&
        existing.getStatus() === IdempotencyRecordStatus.INPROGRESS &&
        record.inProgressExpiryTimestamp !== undefined &&
        existing.inProgressExpiryTimestamp === record.inProgressExpiryTimestamp &&
        existing.payloadHash === record.payloadHash;
      if (!ours) throw error;
    }
  }
}

let store: DynamoDBPersistenceLayer | undefined;

/**
 * The idempotency table's persistence layer, built on first use. Its key and expiry attributes
 * are the table definition's, so the stack's table and the records agree.
 */
export function idempotencyStore(): DynamoDBPersistenceLayer {
  const definition = tableDefinition('idempotency');
  store ??= new ResendAwareDynamoDBPersistenceLayer({
    tableName: tableName('idempotency'),
    keyAttr: definition.partitionKey.name,
    expiryAttr: definition.ttlAttribute,
    awsSdkV3Client: dynamoDbClient,
  });
  return store;
}
