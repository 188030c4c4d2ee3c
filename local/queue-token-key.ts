import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The key file `npm start` keeps in DATA_DIR: one key a line, the current one first. */
export const QUEUE_TOKEN_KEY_FILE = 'queue-token-keys';

/** A new signing key: 48 random bytes, 64 characters. */
export const newQueueTokenKey = () => randomBytes(48).toString('base64url');

/**
 * The environment that names the queue token key to the handlers, as the stack names its secret
 * deployed: with a data directory, QUEUE_TOKEN_KEY_FILE (the file is made with a new key if
 * missing, so tokens survive a restart like the data does); without one, QUEUE_TOKEN_KEYS with a
 * key kept in memory. A key source the environment already names is left alone.
 */
export function queueTokenKeyEnv(env: NodeJS.ProcessEnv, dataDir?: string): Record<string, string> {
  if (env.QUEUE_TOKEN_SECRET_ARN || env.QUEUE_TOKEN_KEYS || env.QUEUE_TOKEN_KEY_FILE) return {};
  if (!dataDir) return { QUEUE_TOKEN_KEYS: newQueueTokenKey() };
  const file = join(dataDir, QUEUE_TOKEN_KEY_FILE);
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(file)) writeFileSync(file, `${newQueueTokenKey()}\n`, { mode: 0o600, flag: 'wx' });
  return { QUEUE_TOKEN_KEY_FILE: file };
}
