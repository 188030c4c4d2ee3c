import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { tableName } from '../shared/config';
import { dynamoDbClient } from '../shared/dynamodb-client';
import { tableDefinition } from '../shared/tables';

let store: DynamoDBPersistenceLayer | undefined;

/**
 * Powertools' DynamoDB persistence layer over the idempotency table, built on first use. Its key
 * and expiry attributes are the table definition's, so the stack's table and the records agree.
 */
export function idempotencyStore(): DynamoDBPersistenceLayer {
  const definition = tableDefinition('idempotency');
  store ??= new DynamoDBPersistenceLayer({
    tableName: tableName('idempotency'),
    keyAttr: definition.partitionKey.name,
    expiryAttr: definition.ttlAttribute,
    awsSdkV3Client: dynamoDbClient,
  });
  return store;
}
