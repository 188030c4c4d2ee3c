import { admitWaitingTokens } from '../queue/admit-waiting-tokens';
import { queueDeps } from '../queue/default-queue-deps';

/** Runs on the admission schedule (EventBridge deployed, a timer locally). Safe to retry or overlap. */
export const handler = async () => {
  const result = await admitWaitingTokens(queueDeps());
  const admitted = result.concerts.reduce((sum, c) => sum + c.admitted, 0);
  // Quiet when nothing moved: the job runs every minute (every few seconds locally).
  if (admitted > 0) {
    const concerts = result.concerts.filter((c) => c.admitted > 0);
    console.log(JSON.stringify({ level: 'INFO', message: 'admission run', admitted, concerts }));
  }
  return result;
};
