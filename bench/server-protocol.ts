import type { DynamoDbCall } from './dynamodb-calls';

/** What the bench asks the server process over IPC. */
export type ServerRequest =
  | { readonly id: number; readonly op: 'window:start'; readonly keepCalls: boolean; readonly capacity: boolean }
  | { readonly id: number; readonly op: 'window:take' }
  | { readonly id: number; readonly op: 'stop' };

/** DynamoDB calls the server made in a window: counts and consumed capacity units. */
export interface CallSummary {
  calls: number;
  readCapacity: number;
  writeCapacity: number;
  errors: number;
  byCommand: Record<string, number>;
  /** Of those, the calls that failed (a failed condition included), by command. */
  failedByCommand: Record<string, number>;
}

export interface ServerReply {
  readonly id: number;
  readonly ok: boolean;
  readonly url?: string;
  readonly summary?: CallSummary;
  readonly calls?: DynamoDbCall[];
}
