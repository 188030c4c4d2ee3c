import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * A DynamoDB that accepts connections and never answers, met with the deployed bounds: the call
 * gives up after its few attempts, each cut at the request timeout, with an error the API turns
 * into a 503, well before an API function's 10 s timeout. Run in a process of its own.
 */
const ROOT = resolve(__dirname, '../..');

test('a DynamoDB that never answers: the deployed client gives up after its 3 attempts, each cut by its timeout, as unavailable', () => {
  const output = execFileSync(process.execPath, [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'test/support/silent-dynamodb-call.ts'], {
    cwd: ROOT,
    env: { ...process.env, DYNAMODB_ENDPOINT: '', AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const result = JSON.parse(output.trim().split('\n').pop()!) as {
    attempts: number;
    elapsedMs: number;
    unavailable: boolean;
    bounds: { maxAttempts: number };
  };
  console.log(`a call to a silent DynamoDB gave up after ${result.elapsedMs} ms and ${result.attempts} attempts`);
  expect(result.unavailable).toBe(true);
  // The server never answers, so each attempt ended by its own request timeout: the call is bounded
  // by 3 × 2 s and a short backoff (the time is printed above, not asserted).
  expect(result.attempts).toBe(result.bounds.maxAttempts);
}, 40_000);
