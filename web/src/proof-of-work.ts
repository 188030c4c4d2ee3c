/**
 * Solving a protected waiting room's challenge: altcha-lib's solver, spread over a few Web Workers
 * (each tries every n-th counter), so the page stays responsive while it works. The answer is the
 * payload the ALTCHA widget would submit: base64 of `{challenge, solution}`.
 */
import { solveChallengeWorkers } from 'altcha-lib';
import type { JoinChallenge } from './api-types';

/** Where the page serves the worker (web/build.ts builds it next to main.js). */
const WORKER_URL = '/app/challenge-worker.js';
/** More workers than cores only adds switching; past four a phone gains little and heats up. */
const MAX_WORKERS = 4;
/** A challenge is good for five minutes; a solve that takes longer than this is given up on. */
const SOLVE_TIMEOUT_MS = 120_000;

export class ProofOfWorkFailed extends Error {
  constructor() {
    super('the proof of work could not be solved');
    this.name = 'ProofOfWorkFailed';
  }
}

export async function solveJoinChallenge(challenge: JoinChallenge, signal?: AbortSignal): Promise<string> {
  const controller = new AbortController();
  signal?.addEventListener('abort', () => controller.abort());
  const solution = await solveChallengeWorkers({
    challenge,
    concurrency: Math.min(MAX_WORKERS, Math.max(1, navigator.hardwareConcurrency || 2)),
    createWorker: () => new Worker(WORKER_URL),
    controller,
    timeout: SOLVE_TIMEOUT_MS,
  });
  if (!solution) throw new ProofOfWorkFailed();
  return btoa(JSON.stringify({ challenge: { parameters: challenge.parameters, signature: challenge.signature }, solution }));
}
