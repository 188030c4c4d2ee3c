import { expireActiveTokens } from '../queue/expire-active-tokens';
import { queueDeps } from '../queue/default-queue-deps';

/** Runs on the expiry schedule. Only tidies: every check already compares activeUntil with now. */
export const handler = async () => {
  const result = await expireActiveTokens(queueDeps());
  const expired = result.concerts.reduce((sum, c) => sum + c.expired, 0);
  // Quiet when nothing moved: the job runs every minute (every few seconds locally).
  if (expired > 0) {
    const concerts = result.concerts.filter((c) => c.expired > 0);
    console.log(JSON.stringify({ level: 'INFO', message: 'expiry run', expired, concerts }));
  }
  return result;
};
