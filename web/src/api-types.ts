/**
 * The bodies the page reads, taken from the service's own types so that a change of the
 * contract in the handlers fails the page's type check (`tsc -p web`) instead of a user.
 * Type-only imports: nothing of the server ends up in the bundle.
 */
import type { ReservationView } from '../../functions/reservations/reservation';
import type { ReservationList } from '../../functions/reservations/list-reservations';
import type { PaymentView } from '../../functions/wallet/payment';
import type { PaymentList } from '../../functions/wallet/list-payments';
import type { QueueStatusView } from '../../functions/queue/queue-status';
import type { QueueStateBody } from '../../functions/queue/waiting-place';
import type { Challenge } from '../../functions/queue/join-challenge';
import type { ScheduleView } from '../../functions/catalogue/list-schedules';
import type { SeatView } from '../../functions/catalogue/get-seat-map';
import type { Concert } from '../../functions/catalogue/concert';
import type { ErrorCode, FieldProblem } from '../../functions/shared/errors';
import type { RouteKey } from '../../functions/http/route-table';

export type { ErrorCode, FieldProblem, RouteKey };
export type Reservation = ReservationView;
export type Payment = PaymentView;
export type Schedule = ScheduleView;
export type Seat = SeatView;
export type ConcertSummary = Pick<Concert, 'concertId' | 'title' | 'venue'>;
/** A protected waiting room's proof-of-work challenge (altcha-lib's format; the service sends no code challenge). */
export type JoinChallenge = Required<Pick<Challenge, 'parameters' | 'signature'>>;
/** The queue status body; `Retry-After` travels as a header. */
export type QueueStatus = Omit<QueueStatusView, 'retryAfterSeconds'>;
/** The line's public state, the same for everyone (no sign-in). */
export type QueueState = QueueStateBody;

export interface ConcertList {
  readonly concerts: readonly ConcertSummary[];
}
export interface ScheduleList {
  readonly schedules: readonly Schedule[];
}
export interface SeatMap {
  readonly seats: readonly Seat[];
}
export type Reservations = ReservationList;
export type Payments = PaymentList;
export interface Balance {
  readonly balance: number;
}
export interface LocalToken {
  readonly accessToken: string;
  readonly expiresIn: number;
}
export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly details?: readonly FieldProblem[] };
}
