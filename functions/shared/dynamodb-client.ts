import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** How hard one DynamoDB call may try: attempts in all, and the time each attempt may take to connect and to answer. */
export interface CallBounds {
  readonly maxAttempts: number;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Whether an answer later than requestTimeoutMs fails the attempt (the SDK only warns otherwise). */
  readonly throwOnRequestTimeout: boolean;
}

/**
 * Deployed: a sick DynamoDB costs at most 3 × (1 s + 2 s) plus the SDK's short backoff, under the
 * API functions' 10 s timeout, so the client gets the contract's 503 and not a Lambda timeout.
 * Locally the connection timer also runs while a request waits for one of the agent's 50 sockets:
 * deployed, a function serves one request at a time, but the local server sends every concurrent
 * request through this one client, so there a burst waits its turn instead of failing as a 503,
 * and a slow answer of an overloaded DynamoDB Local is only warned about.
 */
export function callBounds(endpoint: string | undefined = process.env.DYNAMODB_ENDPOINT): CallBounds {
  return endpoint
    ? { maxAttempts: 3, connectionTimeoutMs: 10_000, requestTimeoutMs: 3_000, throwOnRequestTimeout: false }
    : { maxAttempts: 3, connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000, throwOnRequestTimeout: true };
}

/**
 * A DynamoDB client whose calls are bounded (see callBounds), so a sick database turns into a
 * quick 503. Given an endpoint, it talks to that one (DynamoDB Local) with local credentials and
 * without signing (see localSigner); deployed, the SDK signs every request as always.
 */
export function createDynamoDbClient(
  endpoint: string | undefined,
  bounds: CallBounds = callBounds(endpoint),
  /** Connections kept open to DynamoDB at most (the SDK's default is 50). */
  maxSockets?: number,
): DynamoDBClient {
  const region = process.env.AWS_REGION ?? 'local';
  const client = new DynamoDBClient({
    ...(endpoint
      ? {
          endpoint,
          region,
          credentials: { accessKeyId: LOCAL_ACCESS_KEY, secretAccessKey: 'local' },
          signer: localSigner(LOCAL_ACCESS_KEY, region),
        }
      : {}),
    maxAttempts: bounds.maxAttempts,
    requestHandler: {
      connectionTimeout: bounds.connectionTimeoutMs,
      requestTimeout: bounds.requestTimeoutMs,
      throwOnRequestTimeout: bounds.throwOnRequestTimeout,
      ...(maxSockets ? { httpAgent: { maxSockets } } : {}),
    },
  });
  if (endpoint) {
    for (const name of LOCAL_UNUSED_MIDDLEWARE) client.middlewareStack.remove(name);
    // The User-Agent step stays, doing nothing, so middleware placed after it by name (Powertools') still finds it.
    client.middlewareStack.add((next) => next, { step: 'build', priority: 'low', name: USER_AGENT_MIDDLEWARE, override: true });
  }
  return client;
}

/**
 * Per-call middleware whose work DynamoDB Local never uses: the User-Agent string (built and escaped
 * on every call), X-Ray trace propagation (only inside Lambda) and the call logger (a no-op logger
 * unless one is configured). Together ~18 % of the SDK's CPU per call (0.58 → 0.48 ms per GetItem
 * at 50 concurrent, alternating rounds: BENCHMARKS.md). Deployed, the client keeps them all.
 */
const USER_AGENT_MIDDLEWARE = 'getUserAgentMiddleware';
const LOCAL_UNUSED_MIDDLEWARE = [USER_AGENT_MIDDLEWARE, 'recursionDetectionMiddleware', 'loggerMiddleware'];

const LOCAL_ACCESS_KEY = 'local';
const NO_SIGNATURE = '0'.repeat(64);

/**
 * DynamoDB Local reads the access key and region from a request's Authorization header (and
 * refuses a request without one) but checks no signature. So locally a request gets that header
 * and no Signature Version 4: hashing the body and the canonical request, the HMAC chain and a
 * new signer per call took ~0.2 ms of CPU per call, 15-20 % of the local server's CPU for a
 * `GET /balance` or a charge (BENCHMARKS.md).
 */
export function localSigner(accessKeyId: string, region: string): NonNullable<DynamoDBClientConfig['signer']> {
  // The headers change once a second (x-amz-date has no finer unit): a burst's calls share them.
  let second = -1;
  let amzDate = '';
  let authorization = '';
  return {
    async sign(request) {
      const now = Date.now();
      if (Math.floor(now / 1000) !== second) {
        second = Math.floor(now / 1000);
        amzDate = new Date(now).toISOString().replace(/[-:]|\.\d{3}/g, '');
        authorization = `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${amzDate.slice(0, 8)}/${region}/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=${NO_SIGNATURE}`;
      }
      request.headers['x-amz-date'] = amzDate;
      request.headers.authorization = authorization;
      return request;
    },
  };
}

/**
 * The one client of a process, created at module scope and reused across invocations; the plain
 * client is for libraries that marshal items themselves (Powertools idempotency).
 */
export const dynamoDbClient = createDynamoDbClient(process.env.DYNAMODB_ENDPOINT);

export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true },
});
