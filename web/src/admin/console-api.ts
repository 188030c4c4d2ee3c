/**
 * The console's calls: the admin routes of the contract, one typed function each, over the page's
 * own client (same base URL, bearer token, timeout and failures).
 */
import type { Answer, Api } from '../api';
import type { RouteKey } from '../api-types';
import type {
  CreatedConcert,
  NewConcert,
  Revocation,
  SettingsChanges,
  WaitingRoomFields,
  WaitingRoomSettings,
  WaitingRoomStats,
} from './console-types';

/** Each admin route the console calls, with the body its success has. */
export interface ConsoleResponses {
  'POST /admin/concerts': CreatedConcert;
  'GET /admin/concerts/{concertId}/waiting-room': WaitingRoomSettings;
  'PATCH /admin/concerts/{concertId}/waiting-room': WaitingRoomSettings;
  'GET /admin/concerts/{concertId}/waiting-room/changes': SettingsChanges;
  'GET /admin/concerts/{concertId}/waiting-room/stats': WaitingRoomStats;
  'POST /admin/concerts/{concertId}/queue/revocations': Revocation;
}
type ConsoleRoute = keyof ConsoleResponses;
/** Every route the console calls, for the test that checks them against openapi.json. */
export const CONSOLE_ROUTES = [
  'POST /admin/concerts',
  'GET /admin/concerts/{concertId}/waiting-room',
  'PATCH /admin/concerts/{concertId}/waiting-room',
  'GET /admin/concerts/{concertId}/waiting-room/changes',
  'GET /admin/concerts/{concertId}/waiting-room/stats',
  'POST /admin/concerts/{concertId}/queue/revocations',
] as const satisfies readonly ConsoleRoute[];
const everyRouteIsListed: Record<Exclude<ConsoleRoute, (typeof CONSOLE_ROUTES)[number]>, never> = {};
void everyRouteIsListed;
/** Fails the type check when a route above is not a route of the route table. */
const everyResponseIsARoute: Record<Exclude<ConsoleRoute, RouteKey>, never> = {};
void everyResponseIsARoute;

/** The `If-Match` value of a settings revision: the contract's `"<revision>"`, quotes included. */
export const revisionTag = (revision: number) => `"${revision}"`;

export class ConsoleApi {
  constructor(readonly api: Api) {}

  listConcerts = () => this.api.listConcerts();
  createConcert = (concert: NewConcert) => this.call('POST /admin/concerts', {}, { body: concert });
  settings = (concertId: string) => this.call('GET /admin/concerts/{concertId}/waiting-room', { concertId });
  /** Changes only `fields`, and only if nobody changed the settings since `revision` (else a 412). */
  changeSettings = (concertId: string, fields: Partial<WaitingRoomFields>, revision: number) =>
    this.call('PATCH /admin/concerts/{concertId}/waiting-room', { concertId }, { body: fields, ifMatch: revisionTag(revision) });
  changes = (concertId: string) => this.call('GET /admin/concerts/{concertId}/waiting-room/changes', { concertId });
  stats = (concertId: string) => this.call('GET /admin/concerts/{concertId}/waiting-room/stats', { concertId });
  revoke = (concertId: string, userId: string, ban: boolean) =>
    this.call('POST /admin/concerts/{concertId}/queue/revocations', { concertId }, { body: ban ? { userId, ban } : { userId } });

  private call<K extends ConsoleRoute>(
    route: K,
    params: Record<string, string>,
    options: { body?: unknown; ifMatch?: string } = {},
  ): Promise<Answer<ConsoleResponses[K]>> {
    const [method, template] = route.split(' ') as [string, string];
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
    return this.api.request<ConsoleResponses[K]>(method, path, options);
  }
}
