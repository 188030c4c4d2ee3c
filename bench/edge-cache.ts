/**
 * A stand-in for the CloudFront cache in front of the queue's state, for the bench only: an HTTP
 * proxy on loopback. For the paths it caches it does what the distribution's state behaviour does
 * (lib/static-site.ts): the cache key is the path alone (no query string, no viewer header reaches
 * the origin), an answer is kept as long as its `Cache-Control` says (read by http-cache-semantics,
 * as a shared cache), a stale one is served while one request revalidates it
 * (`stale-while-revalidate`), and concurrent misses of a path share one origin request. Every other
 * request passes through uncached, headers and all, like `/api/*`.
 *
 * It counts the origin requests of each cached path: each is one computation of the state.
 */
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import CachePolicy from 'http-cache-semantics';
import { readAnswer } from './http-client';

export interface EdgeCacheOptions {
  /** The origin, on loopback (`http://127.0.0.1:3000`). */
  readonly originUrl: string;
  /** Which paths (without the query string) are cached. */
  readonly cached: (path: string) => boolean;
}

/** What a cached path cost the origin. */
export interface OriginCount {
  readonly requests: number;
  /** Answers served from the cache: fresh hits and stale ones served while revalidating. */
  readonly hits: number;
  readonly staleHits: number;
  /** Viewer requests that had to wait for the origin (a miss, or one sharing another's miss). */
  readonly misses: number;
  /** When the first and the last origin request went out (epoch ms). */
  readonly firstAt: number;
  readonly lastAt: number;
}

interface Stored {
  readonly policy: CachePolicy;
  readonly status: number;
  readonly body: Buffer;
}

/** Only what CloudFront would send the origin for the state: its own name and nothing of the viewer. */
const originRequestOf = (host: string, path: string): CachePolicy.Request => ({ url: path, method: 'GET', headers: { host } });

export class EdgeCache {
  private readonly server: Server;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64, timeout: 4_000 });
  private readonly origin: URL;
  private readonly stored = new Map<string, Stored>();
  private readonly inFlight = new Map<string, Promise<Stored>>();
  private counts = new Map<string, { -readonly [K in keyof OriginCount]: OriginCount[K] }>();

  private constructor(
    private readonly options: EdgeCacheOptions,
    readonly url: string,
    server: Server,
  ) {
    this.server = server;
    this.origin = new URL(options.originUrl);
  }

  /** Listens on a free loopback port. */
  static async start(options: EdgeCacheOptions): Promise<EdgeCache> {
    const origin = new URL(options.originUrl);
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(origin.hostname))
      throw new Error(`the edge cache fronts loopback only, not ${origin.hostname}`);
    let cache: EdgeCache | undefined;
    const server = createServer((req, res) => {
      cache!.serve(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'BAD_GATEWAY', message: error instanceof Error ? error.message : String(error) } }));
      });
    });
    server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    cache = new EdgeCache(options, `http://127.0.0.1:${port}`, server);
    return cache;
  }

  /** The counts of each cached path since the last `take` (or the start), and starts counting afresh. */
  take(): Map<string, OriginCount> {
    const counts = this.counts;
    this.counts = new Map();
    return counts;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }

  private countOf(path: string) {
    let count = this.counts.get(path);
    if (!count) this.counts.set(path, (count = { requests: 0, hits: 0, staleHits: 0, misses: 0, firstAt: 0, lastAt: 0 }));
    return count;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (!(req.method === 'GET' || req.method === 'HEAD') || !this.options.cached(path)) return this.passThrough(req, res);

    const request = originRequestOf(this.origin.host, path);
    const count = this.countOf(path);
    let entry = this.stored.get(path);
    let state: 'Hit' | 'RefreshHit' | 'Miss' = 'Miss';
    const evaluation = entry?.policy.evaluateRequest(request);
    if (entry && evaluation?.response) {
      state = evaluation.revalidation ? 'RefreshHit' : 'Hit';
      count.hits++;
      if (evaluation.revalidation) {
        count.staleHits++;
        // In the background, shared with any other request of this path meanwhile; a failure keeps the stale answer.
        this.fetch(path, request).catch(() => undefined);
      }
    } else {
      count.misses++;
      entry = await this.fetch(path, request);
    }
    const headers = state === 'Miss' ? entry.policy.responseHeaders() : evaluation!.response!.headers;
    res.writeHead(entry.status, { ...headers, 'x-cache': `${state} from the bench's edge cache` });
    res.end(req.method === 'HEAD' ? undefined : entry.body);
  }

  /** One origin request per path at a time: whoever asks while it is out waits for the same answer. */
  private fetch(path: string, request: CachePolicy.Request): Promise<Stored> {
    const pending = this.inFlight.get(path);
    if (pending) return pending;
    const count = this.countOf(path);
    count.requests++;
    count.lastAt = Date.now();
    count.firstAt ||= count.lastAt;
    const fetched = this.get(path)
      .then(({ status, headers, body }) => {
        const policy = new CachePolicy(request, { status, headers }, { shared: true });
        const entry = { policy, status, body };
        if (policy.storable() && policy.timeToLive() > 0) this.stored.set(path, entry);
        else this.stored.delete(path);
        return entry;
      })
      .finally(() => this.inFlight.delete(path));
    this.inFlight.set(path, fetched);
    return fetched;
  }

  private get(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: this.origin.hostname, port: this.origin.port, method: 'GET', path, agent: this.agent, headers: { host: this.origin.host } },
        (res) => readAnswer(res).then(({ status, headers, text }) => resolve({ status, headers, body: Buffer.from(text) }), reject),
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`GET ${path}: no answer from the origin within 30 s`)));
      req.on('error', reject);
      req.end();
    });
  }

  /** Uncached, as `/api/*`: the viewer's request as it came, the origin's answer as it came. */
  private passThrough(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(
        {
          host: this.origin.hostname,
          port: this.origin.port,
          method: req.method,
          path: req.url,
          agent: this.agent,
          headers: { ...req.headers, host: this.origin.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
          answer.on('end', resolve);
          answer.on('error', reject);
        },
      );
      upstream.on('error', reject);
      req.pipe(upstream);
    });
  }
}
