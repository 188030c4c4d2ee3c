/**
 * The web page's sale-day parts in a real browser (Debian's chromium driven by playwright-core)
 * against the local runtime: releasing holds from the seat map and from checkout, leaving the line,
 * ending a turn early, and what the page says of the sale as an operator runs it through the admin
 * API (paused, closed, not open yet, a pre-queue and its draw) and of a user barred from it. Each test makes a
 * concert of its own through the admin API, so no test shares a line; admission is run by the test.
 */
import type { Page } from 'playwright-core';
import { concertCard, describeInBrowser, expectView, getTickets, signIn, useBrowser } from '../support/browser';

describeInBrowser('sale day on the web page, in chromium', () => {
  // Pages in Seoul's time zone, whatever the machine's: times on the page are the reader's own.
  const { api, newPage } = useBrowser({ seed: false, page: { viewport: { width: 900, height: 700 }, timezoneId: 'Asia/Seoul' } });
  let admin: string;
  let serial = 0;

  beforeAll(async () => {
    admin = await api.tokenFor('sale-day-ops', ['admin']);
  });

  /** A concert of the test's own, made as an operator makes one: 10 seats on one date, 10,000–100,000 KRW. */
  async function newConcert(): Promise<{ concertId: string; scheduleId: string; title: string }> {
    const title = `Sale Day ${++serial}`;
    const seats = Array.from({ length: 10 }, (_, i) => ({ seatNumber: i + 1, price: 10_000 * (i + 1) }));
    const created = await api.request('POST', '/admin/concerts', {
      token: admin,
      body: { title, venue: 'Test Hall', schedules: [{ date: '2099-01-01', seats }] },
    });
    expect(created.status).toBe(201);
    return { concertId: created.body.concertId, scheduleId: created.body.schedules[0].scheduleId, title };
  }

  /** An operator's change to a concert's waiting room, as the console sends it. */
  async function changeSettings(concertId: string, change: Record<string, unknown>): Promise<void> {
    const answer = await api.request('PATCH', `/admin/concerts/${concertId}/waiting-room`, { token: admin, body: change });
    expect(answer.status).toBe(200);
    // A change reaches joins within 1 s (API.md, "Waiting-room settings"): past that, every join follows it.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  }

  /** An instant as a reader in Seoul sees it on the page: "14:05". */
  const seoulClock = (at: number) =>
    new Date(at).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Seoul' });

  /** Resolves at the page's next look at its place in line: the line's public state, or the signed-in poll. */
  const nextPoll = (page: Page) =>
    page.waitForResponse((response) => response.request().method() === 'GET' && /\/concerts\/[^/]+\/queue(\/state)?$/.test(response.url()));

  const admit = async () => expect((await api.request('POST', '/local/jobs/activate')).status).toBe(200);

  /** Signs in, joins the concert's line, is admitted and opens the seat map of its date. */
  async function atSeatMap(page: Page, userId: string, concert: { title: string }): Promise<void> {
    await signIn(page, userId);
    await getTickets(page, concert.title);
    await page.getByText(/in line\.$/).waitFor();
    await admit();
    await page.locator('a.date-card').first().click();
    await page.locator('[data-seat="10"]').waitFor();
  }

  async function hold(page: Page, seatNumber: number): Promise<void> {
    await page.locator(`[data-seat="${seatNumber}"]`).click();
    await expectView(page, page.locator(`[data-seat="${seatNumber}"].seat-mine`));
  }

  const storedQueueToken = (page: Page, userId: string, concertId: string) =>
    page.evaluate((key) => {
      const storage = (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage;
      return (JSON.parse(storage.getItem(key) ?? 'null') as { token: string } | null)?.token;
    }, `queue:${userId}:${concertId}`);

  /** The user's reservations as the service has them, by seat number. */
  async function reservationsOf(userId: string): Promise<Record<number, string>> {
    const listed = await api.request('GET', '/reservations', { token: await api.tokenFor(userId) });
    return Object.fromEntries(listed.body.reservations.map((r: { seatNumber: number; status: string }) => [r.seatNumber, r.status]));
  }

  /** The seat map as another admitted user reads it from the service. */
  async function seatsSeenByOthers(concertId: string, scheduleId: string, userId: string): Promise<Record<number, string>> {
    const token = await api.tokenFor(userId);
    const joined = await api.request('POST', `/concerts/${concertId}/queue`, { token });
    await admit();
    const map = await api.request('GET', `/concerts/${concertId}/schedules/${scheduleId}/seats`, { token, queueToken: joined.body.token });
    expect(map.status).toBe(200);
    return Object.fromEntries(map.body.seats.map((seat: { seatNumber: number; status: string }) => [seat.seatNumber, seat.status]));
  }

  test('a hold released from the seat map shows its seat available at once, and the service agrees', async () => {
    const concert = await newConcert();
    const page = await newPage();
    await atSeatMap(page, 'release-map-amy', concert);
    await hold(page, 3);
    await hold(page, 4);
    await page.getByRole('link', { name: 'Go to checkout: 2 seats, 70,000 KRW' }).waitFor();

    const releases: string[] = [];
    page.on('request', (request) => request.method() === 'DELETE' && releases.push(new URL(request.url()).pathname));
    await page.getByRole('button', { name: 'Release seat 3' }).click();
    await expectView(page, page.getByText('You released seat 3: it is on sale again.'));
    // At once, without waiting for the map's next refresh.
    expect(await page.locator('[data-seat="3"]').getAttribute('class')).toBe('seat seat-available tier-4');
    expect(await page.locator('[data-seat="3"]').getAttribute('aria-label')).toBe('Seat 3, 30,000 KRW, available');
    await page.getByRole('link', { name: 'Go to checkout: 1 seat, 40,000 KRW' }).waitFor();
    expect(await page.getByRole('button', { name: 'Release seat 3' }).count()).toBe(0);
    expect(releases).toEqual([expect.stringMatching(/^\/api\/reservations\/[^/]+$/)]);

    expect(await reservationsOf('release-map-amy')).toEqual({ 3: 'RELEASED', 4: 'HELD' });
    expect(await seatsSeenByOthers(concert.concertId, concert.scheduleId, 'release-map-other')).toMatchObject({
      3: 'AVAILABLE',
      4: 'HELD',
    });

    // The map's next refresh (every 5 s) still shows it so: the service's map, not only the page's.
    await page.waitForResponse((response) => response.url().endsWith('/seats') && response.ok());
    await page.waitForTimeout(100); // drawn after the answer's body is read
    expect(await page.locator('[data-seat="3"]').getAttribute('class')).toBe('seat seat-available tier-4');
    await hold(page, 3); // and the user may hold it again
  }, 60_000);

  test('a hold released at checkout leaves the total, and the last one leaves nothing to pay', async () => {
    const concert = await newConcert();
    const page = await newPage();
    await atSeatMap(page, 'release-checkout-ben', concert);
    await hold(page, 2);
    await hold(page, 5);
    await page.getByRole('link', { name: 'Go to checkout: 2 seats, 70,000 KRW' }).click();
    await page.getByRole('heading', { name: 'Checkout' }).waitFor();
    expect(await page.locator('.summary .total').textContent()).toBe('70,000 KRW');
    await page.getByRole('button', { name: 'Pay 70,000 KRW' }).waitFor();

    await page.getByRole('button', { name: 'Release seat 5' }).click();
    await expectView(page, page.getByText('You released seat 5: it is on sale again.'));
    expect(await page.locator('.summary .total').textContent()).toBe('20,000 KRW');
    await page.getByRole('button', { name: 'Pay 20,000 KRW' }).waitFor();
    expect(await page.locator('.checkout-list li').count()).toBe(1);
    expect(await reservationsOf('release-checkout-ben')).toEqual({ 2: 'HELD', 5: 'RELEASED' });

    await page.getByRole('button', { name: 'Release seat 2' }).click();
    await expectView(page, page.getByText('You released seat 2: it is on sale again.'));
    await page.getByText('You hold no seats for this concert now.').waitFor();
    expect(await page.locator('.summary .total').textContent()).toBe('0 KRW');
    expect(await page.locator('button.pay').isDisabled()).toBe(true);
    expect(await reservationsOf('release-checkout-ben')).toEqual({ 2: 'RELEASED', 5: 'RELEASED' });
    expect(await seatsSeenByOthers(concert.concertId, concert.scheduleId, 'release-checkout-other')).toMatchObject({
      2: 'AVAILABLE',
      5: 'AVAILABLE',
    });
  }, 60_000);

  test('leaving the line asks first; staying keeps the place, leaving gives it back and forgets the token', async () => {
    const concert = await newConcert();
    const ahead = await api.tokenFor('leave-ahead');
    expect((await api.request('POST', `/concerts/${concert.concertId}/queue`, { token: ahead })).status).toBe(201);
    const page = await newPage();
    await signIn(page, 'leave-cleo');
    await getTickets(page, concert.title);
    await page.getByText('You are number 2 in line.').waitFor();
    const token = await storedQueueToken(page, 'leave-cleo', concert.concertId);

    await page.getByRole('button', { name: 'Leave the line' }).click();
    const dialog = page.getByRole('dialog', { name: 'Leave the line?' });
    await dialog.waitFor();
    expect(await dialog.locator('li').allTextContents()).toEqual([
      'You give up your place in line for good: the people behind you move up.',
      'You can join the waiting room again later, at the back of the line.',
    ]);
    await dialog.getByRole('button', { name: 'Stay in line' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('You are number 2 in line.').waitFor();
    expect(await storedQueueToken(page, 'leave-cleo', concert.concertId)).toBe(token);

    await page.getByRole('button', { name: 'Leave the line' }).click();
    await page.keyboard.press('Escape'); // Escape keeps the place too
    await dialog.waitFor({ state: 'detached' });
    expect(await storedQueueToken(page, 'leave-cleo', concert.concertId)).toBe(token);

    await page.getByRole('button', { name: 'Leave the line' }).click();
    await dialog.getByRole('button', { name: 'Yes, leave the line' }).click();
    await page.getByRole('heading', { name: 'Concerts' }).waitFor();
    expect(page.url()).toMatch(/#\/$/);
    expect(await page.locator('.notice-success').textContent()).toBe(
      `You left the line for ${concert.title}. You can join again at any time.`,
    );
    expect(await storedQueueToken(page, 'leave-cleo', concert.concertId)).toBeUndefined();
    await concertCard(page, concert.title).getByRole('link', { name: 'Get tickets' }).waitFor();

    const poll = await api.request('GET', `/concerts/${concert.concertId}/queue`, {
      token: await api.tokenFor('leave-cleo'),
      queueToken: token,
    });
    expect(poll.body.status).toBe('EXPIRED');
  }, 60_000);

  test('"I\'m done" ends the turn after asking, and gives the unpaid holds back', async () => {
    const concert = await newConcert();
    const page = await newPage();
    await atSeatMap(page, 'done-dora', concert);
    await hold(page, 6);
    await hold(page, 7);
    const token = await storedQueueToken(page, 'done-dora', concert.concertId);

    await page.locator('#turn').getByRole('button', { name: "I'm done" }).click();
    const dialog = page.getByRole('dialog', { name: 'End your turn?' });
    await dialog.getByRole('button', { name: 'Keep booking' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(page.url()).toMatch(/#\/concerts\/[^/]+\/dates\/[^/]+$/);

    await page.locator('#turn').getByRole('button', { name: "I'm done" }).click();
    expect(await dialog.locator('li').nth(1).textContent()).toBe('Seats you hold and have not paid for go back on sale at once.');
    await dialog.getByRole('button', { name: 'Yes, end my turn' }).click();
    await page.getByRole('heading', { name: 'Concerts' }).waitFor();
    expect(await page.locator('.notice-success').textContent()).toBe(
      `You ended your turn for ${concert.title}. The 2 seats you held are on sale again.`,
    );
    expect(await page.locator('#turn').isHidden()).toBe(true);
    expect(await storedQueueToken(page, 'done-dora', concert.concertId)).toBeUndefined();

    const user = await api.tokenFor('done-dora');
    expect((await api.request('GET', `/concerts/${concert.concertId}/queue`, { token: user, queueToken: token })).body.status).toBe(
      'EXPIRED',
    );
    expect(await reservationsOf('done-dora')).toEqual({ 6: 'RELEASED', 7: 'RELEASED' });
  }, 60_000);

  test('a banned user is told they cannot join, and is not sent round in circles', async () => {
    const concert = await newConcert();
    const banned = await api.request('POST', `/admin/concerts/${concert.concertId}/queue/revocations`, {
      token: admin,
      body: { userId: 'banned-eve', ban: true },
    });
    expect(banned.status).toBe(200);
    const page = await newPage();
    await signIn(page, 'banned-eve');
    await getTickets(page, concert.title);
    await page.getByText('You cannot join this line.').waitFor();
    await page.getByText('Your account may not join the waiting room for this concert.').waitFor();
    expect(await page.getByRole('button', { name: 'Leave the line' }).isHidden()).toBe(true);
    await page.getByRole('link', { name: 'Back to the concerts' }).click();
    await page.getByRole('heading', { name: 'Concerts' }).waitFor();
  }, 60_000);

  test('a paused line says so and admits nobody; resumed, the page moves on', async () => {
    const concert = await newConcert();
    const page = await newPage();
    await signIn(page, 'paused-fred');
    await getTickets(page, concert.title);
    await page.getByText('You are next in line.').waitFor();
    const pausedNote = page.getByText(
      'The sale is paused by the organiser: nobody is being let in right now. You keep your place, and this page moves on by itself when the sale resumes.',
    );
    expect(await pausedNote.count()).toBe(0);

    await changeSettings(concert.concertId, { admission: 'PAUSED' });
    await pausedNote.waitFor();
    await admit(); // a run while paused admits nobody: the page stays in line
    await nextPoll(page);
    await nextPoll(page);
    expect(page.url()).toMatch(/\/queue$/);
    await page.getByText('You are next in line.').waitFor();

    await changeSettings(concert.concertId, { admission: 'RUNNING' });
    await page.getByText(/^Estimated wait: /).waitFor();
    expect(await pausedNote.count()).toBe(0);
    await admit();
    await page.waitForURL(/#\/concerts\/[^/]+\/dates$/);
  }, 60_000);

  test('a closed sale turns new arrivals away in words, while those already in line keep their places', async () => {
    const concert = await newConcert();
    const [early, late] = await Promise.all([newPage(), newPage()]);
    await signIn(early, 'closed-gina');
    await getTickets(early, concert.title);
    await early.getByText('You are next in line.').waitFor();

    await changeSettings(concert.concertId, { joining: 'CLOSED' });
    await signIn(late, 'closed-hal');
    await getTickets(late, concert.title);
    await late.getByText('This sale is closed.').waitFor();
    await late.getByText('This sale is closed to new arrivals. Everyone already in the waiting room keeps their place.').waitFor();
    expect(await late.getByRole('button', { name: 'Leave the line' }).isHidden()).toBe(true);
    expect(await late.locator('.notice-error').count()).toBe(0);

    await early.reload(); // the place survives a reload, and the line still moves
    await early.getByText('You are next in line.').waitFor();
    await admit();
    await early.waitForURL(/#\/concerts\/[^/]+\/dates$/);
  }, 60_000);

  test('before the waiting room opens the page says when, in local time, and joins by itself at Retry-After', async () => {
    const concert = await newConcert();
    const page = await newPage();
    const joins: number[] = [];
    page.on('response', (response) => {
      if (response.request().method() === 'POST' && response.url().endsWith(`/concerts/${concert.concertId}/queue`))
        joins.push(response.status());
    });
    await signIn(page, 'early-ida');
    // Set once signed in, so a slow sign-in on a busy machine cannot use up the time before the opening.
    const opensAt = Date.now() + 6_000;
    await changeSettings(concert.concertId, { preQueueOpensAt: new Date(opensAt).toISOString() });
    await getTickets(page, concert.title);
    // Retry-After counts whole seconds up to the opening, so the page's time is the opening's or a second after it.
    const said = await page.locator('.position').filter({ hasText: 'The waiting room opens at' }).textContent();
    expect([seoulClock(opensAt), seoulClock(opensAt + 1_000)].map((clock) => `The waiting room opens at ${clock}.`)).toContain(said);
    await page.getByText('Keep this page open: it joins the line by itself when the waiting room opens.').waitFor();
    expect(await page.getByRole('button', { name: 'Leave the line' }).isHidden()).toBe(true);

    await page.getByText('You are next in line.').waitFor();
    expect(Date.now()).toBeGreaterThanOrEqual(opensAt);
    expect(joins).toEqual([409, 201]); // one refused, then one at the time it was told: no hammering in between
  }, 60_000);

  test('in the pre-queue the page says when the sale opens and that places are drawn then; after the draw, the place', async () => {
    const concert = await newConcert();
    const saleOpensAt = Date.now() + 12_000;
    await changeSettings(concert.concertId, {
      preQueueOpensAt: new Date(Date.now() - 60_000).toISOString(),
      saleOpensAt: new Date(saleOpensAt).toISOString(),
    });
    const others = await Promise.all(['prequeue-kim', 'prequeue-lee'].map((userId) => api.tokenFor(userId)));
    for (const token of others) expect((await api.request('POST', `/concerts/${concert.concertId}/queue`, { token })).status).toBe(201);
    const page = await newPage();
    await signIn(page, 'prequeue-jon');
    await getTickets(page, concert.title);
    await expectView(page, page.getByText('Your place in line: not yet assigned.'));
    const clock = seoulClock(saleOpensAt);
    expect(await page.locator('.opening').textContent()).toBe(
      `The sale opens at ${clock}. Everyone here before then gets a random place in line.`,
    );
    expect(await page.locator('.estimate').textContent()).toBe(`Places are drawn at ${clock}; this page shows yours then.`);
    expect(await page.locator('progress').isHidden()).toBe(true);
    await page.reload(); // what was last heard is shown again at once
    await page.getByText('Your place in line: not yet assigned.').waitFor();

    // Nobody is admitted before the opening; the service says so too.
    await admit();
    const user = await api.tokenFor('prequeue-jon');
    const queueToken = await storedQueueToken(page, 'prequeue-jon', concert.concertId);
    const polled = await api.request('GET', `/concerts/${concert.concertId}/queue`, { token: user, queueToken });
    expect(polled.body).toMatchObject({
      status: 'WAIT',
      position: null,
      estimatedWaitSeconds: null,
      opensAt: new Date(saleOpensAt).toISOString(),
    });

    // Paused through the opening, so the first run after it draws the places and admits nobody: the page shows its place.
    await changeSettings(concert.concertId, { admission: 'PAUSED' });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, saleOpensAt - Date.now())));
    // Opened, but not drawn until an admission run: the page says so in the past tense.
    expect(
      await page
        .locator('.opening')
        .filter({ hasText: `The sale opened at ${clock}.` })
        .textContent(),
    ).toBe(`The sale opened at ${clock}. Everyone who was here before then gets a random place in line.`);
    await admit();
    const drawn = await api.request('GET', `/concerts/${concert.concertId}/queue`, { token: user, queueToken });
    expect(drawn.body).toMatchObject({ status: 'WAIT', position: expect.any(Number) });
    const place = drawn.body.position as number;
    expect([1, 2, 3]).toContain(place);
    await expectView(page, page.getByText(place === 1 ? 'You are next in line.' : `You are number ${place} in line.`));
    expect(await page.locator('.opening').isHidden()).toBe(true);
    expect(await page.locator('progress').isVisible()).toBe(true);

    await changeSettings(concert.concertId, { admission: 'RUNNING' });
    await admit();
    await page.waitForURL(/#\/concerts\/[^/]+\/dates$/);
  }, 60_000);
});
