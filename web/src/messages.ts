/**
 * Every error of the contract as a sentence a person can act on. No code, status or server
 * message is ever shown as it is: the server's messages are written for developers.
 */
import type { ErrorCode } from './api-types';
import { LIMITS } from './limits';

/** A failure the page can name: the contract's codes, no answer at all, or an answer it cannot read. */
export type FailureKind = ErrorCode | 'NETWORK' | 'UNEXPECTED';

export interface FailureContext {
  /** The seat a hold was for. */
  readonly seatNumber?: number;
  /** What a 404 was about: "concert", "date", "payment"… */
  readonly thing?: string;
  /** Seconds until the server wants a retry (503, 429, and a waiting room not open yet). */
  readonly retryAfterSeconds?: number;
}

const won = (amount: number) => `${amount.toLocaleString('en-US')} KRW`;
const inSeconds = (seconds: number | undefined) =>
  seconds === undefined ? 'in a moment' : seconds <= 1 ? 'in a second' : `in ${seconds} seconds`;

const SENTENCES: Record<FailureKind, (context: FailureContext) => string> = {
  VALIDATION_ERROR: () => 'Something in that request was not accepted. Check what you entered and try again.',
  UNAUTHENTICATED: () => 'Your sign-in has ended. Please sign in again.',
  QUEUE_TOKEN_REQUIRED: () => 'You need a place in the waiting room first. Join the waiting room to continue.',
  QUEUE_TOKEN_INVALID: () => 'Your place in the waiting room was not found. Join the waiting room again.',
  QUEUE_TOKEN_NOT_ACTIVE: () =>
    'It is not your turn to book right now: your turn has ended or has not started yet. Join the waiting room again.',
  FORBIDDEN: () => 'Your account is not allowed to do that.',
  QUEUE_BANNED: () => 'Your account may not join the waiting room for this concert.',
  CHALLENGE_REQUIRED: () => 'This waiting room first checks that you are not a bot. Please try joining again.',
  CHALLENGE_FAILED: () => 'The check that you are not a bot did not go through. Please try joining again.',
  NOT_FOUND: (c) => `We could not find that ${c.thing ?? 'page'}. It may have been removed.`,
  PRECONDITION_FAILED: () => 'Someone else changed this just now. Reload it and make your change again.',
  QUEUE_CLOSED: () => 'This sale is closed to new arrivals. Everyone already in the waiting room keeps their place.',
  QUEUE_NOT_OPEN: (c) => `The waiting room is not open yet. Please try again ${inSeconds(c.retryAfterSeconds)}.`,
  SEAT_UNAVAILABLE: (c) =>
    `${c.seatNumber === undefined ? 'That seat' : `Seat ${c.seatNumber}`} was taken by someone else first. Please pick another seat.`,
  HOLD_LIMIT_REACHED: () =>
    `You already hold ${LIMITS.holdsPerSchedule} seats for this date, the most one person can. Pay for them, or wait for a hold to end.`,
  RESERVATION_EXPIRED: () => 'The hold on a seat ran out before you paid, so it was not charged. Please pick the seat again.',
  ALREADY_PAID: () => 'These seats are already paid for. You can find them in your payment history.',
  INSUFFICIENT_BALANCE: () => 'Your balance is too low for this payment. Add money to your wallet, then pay.',
  BALANCE_LIMIT_EXCEEDED: () => `That would take your balance over ${won(LIMITS.maxBalance)}. Please add a smaller amount.`,
  IDEMPOTENCY_KEY_REUSED: () => 'That attempt was already used for something else. Please try again.',
  IDEMPOTENCY_KEY_IN_USE: (c) => `That request is still being processed. Please check again ${inSeconds(c.retryAfterSeconds)}.`,
  PAYLOAD_TOO_LARGE: () => 'The page sent more than the server accepts. Reload the page and try again.',
  UNSUPPORTED_MEDIA_TYPE: () => 'The page sent a request the server could not read. Reload the page and try again.',
  TOO_MANY_REQUESTS: (c) => `A lot of people are trying at once. Please try again ${inSeconds(c.retryAfterSeconds)}.`,
  INTERNAL: () => 'Something went wrong on our side. Please try again.',
  UNAVAILABLE: (c) => `The service is very busy right now. Please try again ${inSeconds(c.retryAfterSeconds)}.`,
  NETWORK: () => 'We cannot reach the service. Check your connection and try again.',
  UNEXPECTED: () => 'Something unexpected happened. Please try again.',
};

export function failureSentence(kind: FailureKind, context: FailureContext = {}): string {
  return (SENTENCES[kind] ?? SENTENCES.UNEXPECTED)(context);
}

export const formatWon = won;
