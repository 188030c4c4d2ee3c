import { rmSync } from 'node:fs';
import stopDynamoDb from '../support/global-teardown';

export default async function globalTeardown(): Promise<void> {
  const synthDir = (globalThis as { __synthDir?: string }).__synthDir;
  if (synthDir) rmSync(synthDir, { recursive: true, force: true });
  await stopDynamoDb();
}
