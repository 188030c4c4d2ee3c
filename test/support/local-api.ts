import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { useFreshTables } from './tables';

export interface ApiResponse<T = any> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface LocalApi {
  readonly runtime: LocalRuntime;
  readonly url: string;
  /** A bearer token from the local issuer, as `POST /local/token` gives. */
  tokenFor(userId: string, groups?: string[]): Promise<string>;
  request<T = any>(
    method: string,
    path: string,
    options?: { token?: string; queueToken?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<ApiResponse<T>>;
  stop(): Promise<void>;
}

/**
 * The local runtime over fresh tables, on a free port, with the job timer off: tests run jobs themselves.
 * `dataDir` is where the local issuer keeps its key (a test that puts its own key there can sign any token).
 */
export async function startLocalApi(options: { seed?: boolean; dataDir?: string; demoChallenge?: boolean } = {}): Promise<LocalApi> {
  const { prefix, endpoint } = await useFreshTables();
  const runtime = await startLocalRuntime({
    endpoint,
    port: 0,
    jobIntervalSeconds: 0,
    tablePrefix: prefix,
    seed: options.seed ?? true,
    // The demo data's protected concert as npm start has it, only where a test asks: most tests join every demo concert without work.
    demoChallenge: options.demoChallenge ?? false,
    dataDir: options.dataDir,
  });

  async function request<T>(
    method: string,
    path: string,
    options: { token?: string; queueToken?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.queueToken) headers['x-queue-token'] = options.queueToken;
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${runtime.url}${path}`, { method, headers, body });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  return {
    runtime,
    url: runtime.url,
    async tokenFor(userId, groups) {
      const response = await request<{ accessToken: string }>('POST', '/local/token', { body: { userId, ...(groups ? { groups } : {}) } });
      if (response.status !== 200) throw new Error(`could not mint a token: ${JSON.stringify(response.body)}`);
      return response.body.accessToken;
    },
    request,
    stop: () => runtime.stop(),
  };
}
