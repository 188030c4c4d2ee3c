import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';

/** A DynamoDB item as the document client reads and writes it. */
export type Item = Record<string, unknown>;

/** One entry of a TransactWriteItems call, built by an entity's keys module. */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];
