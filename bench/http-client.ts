import { Agent, request as httpRequest, type IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpResponse<T = any> {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: T;
  /** From sending the request to the last byte of the answer. */
  readonly ms: number;
}

export interface RequestOptions {
  readonly token?: string;
  readonly queueToken?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * A small keep-alive HTTP client for the bench's virtual users, on loopback only. `maxSockets`
 * bounds the connections it opens (one per concurrent request up to that).
 */
export class HttpClient {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(baseUrl: string, maxSockets = 256) {
    this.base = new URL(baseUrl);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(this.base.hostname)) {
      throw new Error(`the bench only sends load to this machine (loopback), not to ${this.base.hostname}`);
    }
    // Idle sockets close after 4 s, before the server's 5 s keep-alive timeout can close one
    // just as a request is sent on it (an ECONNRESET no real client would see from a gateway).
    this.agent = new Agent({ keepAlive: true, maxSockets, timeout: 4_000 });
  }

  request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.queueToken) headers['x-queue-token'] = options.queueToken;
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = httpRequest({ host: this.base.hostname, port: this.base.port, method, path, headers, agent: this.agent }, (res) =>
        readAnswer(res).then(({ status, headers, text, json }) => {
          // A body that is not JSON is kept as text, for the failure message that shows it.
          const body = json === undefined && text ? text : json;
          resolve({ status, headers, body: body as T, ms: performance.now() - started });
        }, reject),
      );
      req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${path}: no answer within 60 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  readonly json: unknown;
}

/** Reads a whole HTTP answer: its status, headers, text and, if it is JSON, its value. */
export function readAnswer(res: IncomingMessage): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
    });
    res.on('error', reject);
  });
}
