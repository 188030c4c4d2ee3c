/** An answer as the client sees it: status, Retry-After and the parsed body. */
export interface Answer {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: any;
}

export interface RawRequestOptions {
  readonly token?: string;
  readonly queueToken?: string;
  readonly body?: unknown;
  /** Sent as Idempotency-Key. */
  readonly key?: string;
}

/**
 * One request to the API at `baseUrl`, sent once as a client of the contract sends it: no retries, so
 * a test sees every 503 and decides itself what to send again. A lost connection throws fetch's error.
 */
export async function rawRequest(baseUrl: string, method: string, path: string, options: RawRequestOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.queueToken) headers['x-queue-token'] = options.queueToken;
  if (options.key) headers['idempotency-key'] = options.key;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body: text ? JSON.parse(text) : undefined };
}
