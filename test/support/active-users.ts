import type { LocalApi } from './local-api';

export interface ActiveUser {
  readonly userId: string;
  /** Bearer token. */
  readonly token: string;
  /** ACTIVE queue token for the concert. */
  readonly queueToken: string;
}

/** Users who joined the concert's waiting room and were admitted by one admission run. */
export async function activeUsers(api: LocalApi, concertId: string, userIds: readonly string[]): Promise<ActiveUser[]> {
  const joined = await Promise.all(
    userIds.map(async (userId) => {
      const token = await api.tokenFor(userId);
      const response = await api.request('POST', `/concerts/${concertId}/queue`, { token });
      if (response.status !== 201 && response.status !== 200) throw new Error(`join failed: ${JSON.stringify(response.body)}`);
      return { userId, token, queueToken: response.body.token as string };
    }),
  );
  await api.runtime.runJob('admission');
  return joined;
}

export async function activeUser(api: LocalApi, concertId: string, userId: string): Promise<ActiveUser> {
  return (await activeUsers(api, concertId, [userId]))[0];
}
