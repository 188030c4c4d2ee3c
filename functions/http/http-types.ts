import type { ActiveQueueToken } from '../queue/require-active-token';

/** What a route's handler sees: the request already parsed, authenticated and size-checked. */
export interface HttpRequest {
  readonly requestId: string;
  /** The JWT's `sub`; empty on public routes. */
  readonly userId: string;
  readonly groups: readonly string[];
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Parsed JSON body; undefined when none was sent. */
  readonly body: unknown;
  /**
   * ACTIVE routes only: the queue token check, started before the handler runs so that a
   * read can overlap it. Await it before returning anything or writing anything.
   */
  readonly activeToken: () => Promise<ActiveQueueToken>;
  /**
   * ACTIVE routes only (false elsewhere): whether this instance's recent admission record already
   * shows the token admitted and live, without a call. A hint for what may be sent alongside the
   * check, never a substitute for awaiting `activeToken`.
   */
  readonly seemsActive: () => Promise<boolean>;
}

export interface HttpResult {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type RouteHandler = (request: HttpRequest) => Promise<HttpResult>;
