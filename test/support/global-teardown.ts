export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __dynamoDb?: { stop(): Promise<void> } }).__dynamoDb?.stop();
}
