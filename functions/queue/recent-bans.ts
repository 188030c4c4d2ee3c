/** Past this many, the memory starts over: it only saves numbers, so forgetting is always safe. */
const MAX_REMEMBERED = 20_000;

/**
 * The users this instance refused as banned, by concert. A banned user's join is refused by its token
 * write (the ban is on the token item), which carries the number the join took before it; that number,
 * never kept, is admitted like any other and holds an ACTIVE place until its turn ends, so a banned bot
 * joining again and again would eat capacity. Bans are never lifted, so a user refused once is refused
 * here at once, before any call, for as long as remembered: one number an instance, not one a join.
 */
export class RecentBans {
  private readonly banned = new Set<string>();

  remember(concertId: string, userId: string): void {
    if (this.banned.size >= MAX_REMEMBERED) this.banned.clear();
    this.banned.add(keyOf(concertId, userId));
  }

  has(concertId: string, userId: string): boolean {
    return this.banned.has(keyOf(concertId, userId));
  }
}

const keyOf = (concertId: string, userId: string) => `${concertId}\n${userId}`;
