import { demoCatalogue } from '../demo-data';

/**
 * The demo concerts, added the way an admin adds concerts to a deployed stage: through
 * `POST /admin/concerts` of the running API, so the bundle writes them and gives them its own ids.
 * Only when no concert is on sale, so a restart over kept data adds nothing.
 */
export async function seedDemoConcertsThroughApi(baseUrl: string, adminToken: string, today = new Date()): Promise<number> {
  const listed = await fetch(`${baseUrl}/concerts`);
  if (listed.status !== 200) throw new Error(`GET /concerts answered ${listed.status}: ${await listed.text()}`);
  const { concerts } = (await listed.json()) as { concerts: unknown[] };
  if (concerts.length > 0) return 0;
  let added = 0;
  for (const { concert, schedules } of demoCatalogue(today)) {
    const body = {
      title: concert.title,
      venue: concert.venue,
      schedules: schedules.map(({ schedule, seats }) => ({ date: schedule.date, seats })),
    };
    const created = await fetch(`${baseUrl}/admin/concerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (created.status !== 201) throw new Error(`POST /admin/concerts answered ${created.status}: ${await created.text()}`);
    added++;
  }
  return added;
}
