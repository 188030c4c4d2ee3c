import type { HttpRequest } from './http-types';

/**
 * An ACTIVE route's read, run alongside its queue token check: the data is returned only once
 * the token passed, and a refused token wins over whatever the read found.
 */
export async function readWhenActive<T>(request: HttpRequest, read: () => Promise<T>): Promise<T> {
  const data = read();
  data.catch(() => undefined); // observed below, after the token check
  await request.activeToken();
  return data;
}
