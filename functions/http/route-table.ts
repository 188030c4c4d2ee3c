/**
 * The one route table. The CDK stack adds an API Gateway route per row (with the JWT
 * authorizer unless `public`), and the local server serves the same rows; each row names
 * its handler group (one Lambda function) and the handler in it.
 */
export type AuthLevel = 'public' | 'jwt' | 'active' | 'admin';

/** The Cognito group that `admin` routes require (`cognito:groups` of the caller's token). */
export const ADMIN_GROUP = 'admin';
/**
 * The scope every signed-in route requires of a token (API Gateway's authorizationScopes). Cognito
 * puts it in the access tokens that InitiateAuth issues and never in ID tokens, so an ID token is
 * refused; the local issuer mints access tokens with it and the local server checks it the same way.
 */
export const ACCESS_TOKEN_SCOPE = 'aws.cognito.signin.user.admin';
/**
 * Where the API lives under the site's origin: deployed, CloudFront's `/api/*` behaviour and the
 * HTTP API's stage of this name; locally the server answers here as well as at the root.
 */
export const API_PATH_PREFIX = '/api';
export type HandlerGroup = 'public' | 'queue' | 'catalogue' | 'reservations' | 'wallet' | 'admin';
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  readonly method: HttpMethod;
  readonly path: string;
  readonly group: HandlerGroup;
  readonly handler: string;
  readonly auth: AuthLevel;
  /** Largest accepted body; the contract allows 16 KiB except where a route says more. */
  readonly maxBodyBytes?: number;
  /** Honours an `Idempotency-Key` header: the same key and body replay the first answer. */
  readonly idempotent?: boolean;
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

export const routes = [
  { method: 'GET', path: '/health', group: 'public', handler: 'health', auth: 'public' },
  { method: 'GET', path: '/concerts', group: 'catalogue', handler: 'listConcerts', auth: 'public' },
  { method: 'POST', path: '/concerts/{concertId}/queue', group: 'queue', handler: 'joinQueue', auth: 'jwt' },
  { method: 'GET', path: '/concerts/{concertId}/queue', group: 'queue', handler: 'pollQueue', auth: 'jwt' },
  { method: 'DELETE', path: '/concerts/{concertId}/queue', group: 'queue', handler: 'leaveQueue', auth: 'jwt' },
  { method: 'GET', path: '/concerts/{concertId}/queue/challenge', group: 'queue', handler: 'getJoinChallenge', auth: 'jwt' },
  { method: 'GET', path: '/concerts/{concertId}/queue/state', group: 'queue', handler: 'getQueueState', auth: 'public' },
  { method: 'GET', path: '/concerts/{concertId}/schedules', group: 'catalogue', handler: 'listSchedules', auth: 'active' },
  { method: 'GET', path: '/concerts/{concertId}/schedules/{scheduleId}/seats', group: 'catalogue', handler: 'getSeatMap', auth: 'active' },
  { method: 'POST', path: '/reservations', group: 'reservations', handler: 'holdSeat', auth: 'active' },
  { method: 'GET', path: '/reservations', group: 'reservations', handler: 'listReservations', auth: 'jwt' },
  { method: 'DELETE', path: '/reservations/{reservationId}', group: 'reservations', handler: 'releaseReservation', auth: 'jwt' },
  { method: 'GET', path: '/balance', group: 'wallet', handler: 'getBalance', auth: 'jwt' },
  { method: 'POST', path: '/balance/charge', group: 'wallet', handler: 'chargeBalance', auth: 'jwt', idempotent: true },
  { method: 'POST', path: '/payments', group: 'wallet', handler: 'payReservations', auth: 'active', idempotent: true },
  { method: 'GET', path: '/payments', group: 'wallet', handler: 'listPayments', auth: 'jwt' },
  { method: 'POST', path: '/admin/concerts', group: 'admin', handler: 'createConcert', auth: 'admin', maxBodyBytes: 256 * 1024 },
  { method: 'POST', path: '/admin/concerts/{concertId}/queue/revocations', group: 'admin', handler: 'revokeQueueToken', auth: 'admin' },
  { method: 'GET', path: '/admin/concerts/{concertId}/waiting-room', group: 'admin', handler: 'getWaitingRoomSettings', auth: 'admin' },
  {
    method: 'PATCH',
    path: '/admin/concerts/{concertId}/waiting-room',
    group: 'admin',
    handler: 'changeWaitingRoomSettings',
    auth: 'admin',
  },
  {
    method: 'GET',
    path: '/admin/concerts/{concertId}/waiting-room/changes',
    group: 'admin',
    handler: 'listWaitingRoomChanges',
    auth: 'admin',
  },
  { method: 'GET', path: '/admin/concerts/{concertId}/waiting-room/stats', group: 'admin', handler: 'getWaitingRoomStats', auth: 'admin' },
] as const satisfies readonly RouteDefinition[];

export type Route = (typeof routes)[number];
export type RouteKey = `${Route['method']} ${Route['path']}`;
export type HandlerName<G extends HandlerGroup> =
  Extract<Route, { group: G }>['handler'] | (G extends typeof NOT_FOUND_HANDLER.group ? typeof NOT_FOUND_HANDLER.handler : never);

/** Anything no route matches goes to the `public` group's `notFound`, deployed and local alike. */
export const NOT_FOUND_HANDLER = { group: 'public', handler: 'notFound' } as const;

/** The Lambda entry of a handler group, relative to the project root (the stack bundles it, the local server loads it). */
export const groupEntry = (group: HandlerGroup) => `functions/http/${group}-api.ts`;

export const routeKeyOf = (route: RouteDefinition) => `${route.method} ${route.path}`;

export const handlerGroups: readonly HandlerGroup[] = [...new Set<HandlerGroup>(['public', ...routes.map((r) => r.group)])];
