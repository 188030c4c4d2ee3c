import autocannon from 'autocannon';

export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly token?: string;
  readonly queueToken?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export interface LoadResult {
  /** Latency of each answered request, in milliseconds (autocannon's own timing, unrounded). */
  readonly samples: number[];
  /** Answers by status code. */
  readonly statuses: Record<number, number>;
  readonly requestsPerSecond: number;
  readonly errors: number;
  /** Requests sent, answered or not: those still in flight when the run stops reached the server too. */
  readonly sent: number;
}

/**
 * Sends `amount` requests with autocannon over `connections` keep-alive connections, never for
 * longer than `maxSeconds`; the i-th request is `request(i)`. Loopback only.
 */
export async function load(options: {
  url: string;
  connections: number;
  amount: number;
  maxSeconds: number;
  request: (index: number) => LoadRequest;
}): Promise<LoadResult> {
  const host = new URL(options.url).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) throw new Error(`load goes to loopback only, not to ${host}`);
  let next = 0;
  const samples: number[] = [];
  const statuses: Record<number, number> = {};
  let finish: (error: Error | null, result: autocannon.Result) => void = () => undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (error, result) => (error ? reject(error) : resolve(result));
  });
  const instance = autocannon(
    {
      url: options.url,
      connections: options.connections,
      amount: options.amount,
      timeout: 30,
      requests: [
        {
          setupRequest: (request) => {
            const wanted = options.request(next++);
            const headers: Record<string, string> = { ...(wanted.headers ?? {}) };
            if (wanted.token) headers.authorization = `Bearer ${wanted.token}`;
            if (wanted.queueToken) headers['x-queue-token'] = wanted.queueToken;
            if (wanted.body !== undefined) headers['content-type'] = 'application/json';
            return {
              ...request,
              method: wanted.method,
              path: wanted.path,
              headers,
              body: wanted.body === undefined ? undefined : JSON.stringify(wanted.body),
            };
          },
        },
      ],
    },
    (error, result) => finish(error, result),
  );
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    samples.push(responseTime);
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  });
  const stopTimer = setTimeout(() => instance.stop(), options.maxSeconds * 1000);
  const result = await finished.finally(() => clearTimeout(stopTimer));
  const seconds = result.duration > 0 ? result.duration : 1;
  return {
    samples,
    statuses,
    requestsPerSecond: samples.length / seconds,
    errors: result.errors + result.timeouts,
    sent: result.requests.sent,
  };
}
