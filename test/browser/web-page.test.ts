/**
 * The web page in a real browser (Debian's chromium driven by playwright-core) against the
 * local runtime: two users racing for one seat, a whole journey from the waiting room to the
 * receipt, and a reload in the waiting room. Admission is run by the test (POST
 * /local/jobs/activate); the page finds out from the line's public state, at the pace the poll would set,
 * and confirms its turn with the signed-in poll.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describeInBrowser, expectView, getTickets, screenshotDir, signIn, until, useBrowser } from '../support/browser';
import { createConcertAsAdmin, daysFromNow } from '../support/admin-concerts';
import { setChallengeWork } from '../support/join-challenge';

// Three admitted per run, so the journey's line moves in visible steps.
process.env.ADMIT_PER_TICK = '3';

describeInBrowser('the web page in chromium', () => {
  const browser = useBrowser({ page: { viewport: { width: 900, height: 600 } } });
  const { api } = browser;
  const shots = screenshotDir();

  async function newPage(viewport?: { width: number; height: number }): Promise<Page> {
    const page = await browser.newPage(viewport && { viewport });
    // The page's own clock runs in step with the real one until a test moves it on.
    await page.clock.install();
    return page;
  }

  const admit = async () => expect((await api.request('POST', '/local/jobs/activate')).status).toBe(200);

  /** Users who joined a concert's line before the page's user, over the API; their tokens, in order. */
  async function queueAhead(concertId: string, users: string[]): Promise<Array<{ token: string; queueToken: string }>> {
    const joined = [];
    for (const user of users) {
      const token = await api.tokenFor(user);
      const join = await api.request('POST', `/concerts/${concertId}/queue`, { token });
      expect(join.status).toBe(201);
      joined.push({ token, queueToken: join.body.token as string });
    }
    return joined;
  }

  /** Another user holds seats, and pays for them when asked, over the API. */
  async function takeSeats(
    user: { token: string; queueToken: string },
    concertId: string,
    scheduleId: string,
    seatNumbers: number[],
    pay = false,
  ) {
    const reservationIds: string[] = [];
    for (const seatNumber of seatNumbers) {
      const hold = await api.request('POST', '/reservations', { ...user, body: { concertId, scheduleId, seatNumber } });
      expect(hold.status).toBe(201);
      reservationIds.push(hold.body.reservationId);
    }
    if (!pay) return;
    expect((await api.request('POST', '/balance/charge', { token: user.token, body: { amount: 1_000_000 } })).status).toBe(200);
    expect((await api.request('POST', '/payments', { ...user, body: { reservationIds } })).status).toBe(201);
  }

  const queueEntryOf = (page: Page, userId: string, concertId: string) =>
    page.evaluate((key) => {
      const storage = (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage;
      return JSON.parse(storage.getItem(key) ?? 'null') as { token: string } | null;
    }, `queue:${userId}:${concertId}`);

  test('two users race for one seat: one holds it, the other is told it was taken', async () => {
    const [alice, bob] = await Promise.all([newPage(), newPage()]);
    await Promise.all([signIn(alice, 'race-alice'), signIn(bob, 'race-bob')]);
    await Promise.all([getTickets(alice, 'Aurora Live'), getTickets(bob, 'Aurora Live')]);
    await Promise.all([alice.getByText(/in line\./).waitFor(), bob.getByText(/in line\./).waitFor()]);

    await admit();
    // Both pages move on by themselves at their next poll.
    await Promise.all([alice.waitForURL(/#\/concerts\/aurora-live\/dates$/), bob.waitForURL(/#\/concerts\/aurora-live\/dates$/)]);
    for (const page of [alice, bob]) {
      await page.locator('a.date-card').first().click();
      await page.locator('[data-seat="7"]').waitFor();
    }

    await Promise.all([alice.locator('[data-seat="7"]').click(), bob.locator('[data-seat="7"]').click()]);
    const outcome = async (page: Page) => {
      const message = page.locator('.notice-success, .notice-error').first();
      await message.waitFor();
      return (await message.textContent())!.trim();
    };
    const [aliceSaw, bobSaw] = await Promise.all([outcome(alice), outcome(bob)]);
    const taken = 'Seat 7 was taken by someone else first. Please pick another seat.';
    const won = /^Seat 7 is yours until \d\d:\d\d\. Pay before the time runs out\.$/;
    const [winnerSaw, loserSaw] = aliceSaw === taken ? [bobSaw, aliceSaw] : [aliceSaw, bobSaw];
    expect(winnerSaw).toMatch(won);
    expect(loserSaw).toBe(taken);

    const [winner, loser] = aliceSaw === taken ? [bob, alice] : [alice, bob];
    await loser.locator('[data-seat="7"].seat-held').waitFor();
    expect(await loser.locator('[data-seat="7"]').getAttribute('aria-label')).toBe('Seat 7, 165,000 KRW, held by someone else');

    // The page's clock jumps past the hold's end, then past the turn's end: both are said in words.
    await winner.clock.fastForward('05:01');
    await winner.getByText('Your hold on seat 7 ran out, so it is free for others again.').waitFor();
    await winner.clock.fastForward('05:00');
    await winner.getByRole('heading', { name: 'Your turn has ended' }).waitFor();
    await winner.getByRole('link', { name: 'Join the waiting room again' }).waitFor();
  }, 60_000);

  test('a whole journey: waiting room, seat map, money, checkout with a double click, receipt', async () => {
    const concertId = 'midnight-orchestra';
    const ahead = await queueAhead(
      concertId,
      Array.from({ length: 8 }, (_, i) => `journey-ahead-${i + 1}`),
    );
    const page = await newPage();
    // Every call the page makes to the API goes to /api on its own origin, as deployed behind CloudFront.
    const apiCalls: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'fetch' && !request.url().endsWith('/app/config.json')) apiCalls.push(new URL(request.url()).pathname);
    });
    await signIn(page, 'journey-carol');
    await getTickets(page, 'The Midnight Orchestra');
    await page.getByText('You are number 9 in line.').waitFor();

    await admit(); // three of the eight ahead go in, and take seats of the first date
    await takeSeats(ahead[0], concertId, `${concertId}-1`, [5, 6]);
    await takeSeats(ahead[1], concertId, `${concertId}-1`, [14, 15, 16]);
    await takeSeats(ahead[2], concertId, `${concertId}-1`, [27, 28], true);
    await page.getByText('You are number 6 in line.').waitFor();
    expect(await page.locator('progress').getAttribute('value')).toBe('33');
    await page.screenshot({ path: join(shots, 'waiting-room.png'), fullPage: true });

    await admit();
    await admit(); // the page's user is admitted in this run
    await page.waitForURL(/#\/concerts\/midnight-orchestra\/dates$/);
    await page.getByText(/Your turn to book: \d+:\d\d left\./).waitFor();
    const firstDate = page.locator('a.date-card').first();
    expect(await firstDate.locator('.seats-left').textContent()).toBe('43 seats available'); // 50, less 5 held and 2 sold
    await firstDate.click();
    await page.locator('[data-seat="5"].seat-held').waitFor();
    expect(await page.locator('[data-seat="27"]').getAttribute('aria-label')).toBe('Seat 27, 120,000 KRW, sold');
    expect(await page.locator('[data-seat="3"]').getAttribute('class')).toBe('seat seat-available tier-1');

    // By keyboard: the grid is one tab stop, arrows move between seats, Enter holds.
    await page.locator('[data-seat="1"]').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(
      await page.evaluate(
        () => (globalThis as unknown as { document: { activeElement: { textContent: string } } }).document.activeElement.textContent,
      ),
    ).toBe('3');
    await page.keyboard.press('Enter');
    await expectView(page, page.getByText(/^Seat 3 is yours until/));
    await page.locator('[data-seat="3"].seat-mine').waitFor();
    await page
      .locator('.holds')
      .getByText(/^\d:\d\d left$/)
      .waitFor();
    await page.screenshot({ path: join(shots, 'seat-map.png'), fullPage: true });

    await page.getByRole('link', { name: /^Go to checkout: 1 seat, 150,000 KRW$/ }).click();
    await page.getByText('Your balance is 150,000 KRW short. Add money to pay.').waitFor();
    const amount = page.getByLabel('Amount to add (KRW)');
    await amount.fill('12.5');
    await page.getByRole('button', { name: 'Add money' }).click();
    await page.getByText('Enter a whole number of won, digits only (no decimals or signs).').waitFor();
    await amount.fill('200,000');
    await page.getByRole('button', { name: 'Add money' }).click();
    await expectView(page, page.getByText('Money added: your balance is now 200,000 KRW.'));

    await page.getByRole('button', { name: 'Pay 150,000 KRW' }).dblclick();
    await expectView(page, page.getByRole('heading', { name: 'Payment complete' }));
    expect(page.url()).toMatch(/#\/receipt\/\w+$/);
    expect(await page.locator('.receipt .total').textContent()).toBe('150,000 KRW');
    await page.screenshot({ path: join(shots, 'receipt.png'), fullPage: true });

    // The double click paid once.
    const token = await api.tokenFor('journey-carol');
    const payments = await api.request('GET', '/payments', { token });
    expect(payments.body.payments).toHaveLength(1);
    expect(payments.body.payments[0]).toMatchObject({ amount: 150_000, balance: 50_000 });
    expect((await api.request('GET', '/balance', { token })).body).toEqual({ balance: 50_000 });

    await page.getByRole('link', { name: 'All your payments' }).click();
    await page.getByRole('heading', { name: /^The Midnight Orchestra · / }).waitFor();
    expect(await page.locator('li.payment').count()).toBe(1);
    expect(apiCalls.length).toBeGreaterThan(10);
    expect(apiCalls.filter((path) => !path.startsWith('/api/'))).toEqual([]);
    expect(apiCalls).toEqual(expect.arrayContaining(['/api/local/token', '/api/concerts', '/api/payments', '/api/balance/charge']));
  }, 90_000);

  test('deployed sign-in: the Cognito form, a wrong password said in words, then a first new password', async () => {
    const page = await newPage();
    const cognito = 'https://cognito-idp.eu-west-1.amazonaws.com/';
    // As deployed: the config names the user pool, and the page may talk to Cognito.
    await page.route(`${api.url}/app/config.json`, (route) =>
      route.fulfill({
        json: { apiUrl: '', signIn: { kind: 'cognito', region: 'eu-west-1', userPoolId: 'eu-west-1_test', userPoolClientId: 'client' } },
      }),
    );
    await page.route(`${api.url}/`, async (route) => {
      const response = await route.fetch();
      const csp = response.headers()['content-security-policy'].replace("connect-src 'self'", `connect-src 'self' ${cognito}`);
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
    });
    const calls: Array<{ target: string; body: Record<string, any> }> = [];
    const accessToken = await api.tokenFor('cognito-erin');
    const renewedToken = await api.tokenFor('cognito-erin');
    await page.route(cognito, async (route) => {
      const cors = { 'access-control-allow-origin': api.url, 'access-control-allow-headers': 'content-type, x-amz-target' };
      if (route.request().method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
      const target = route.request().headers()['x-amz-target'];
      const body = route.request().postDataJSON() as Record<string, any>;
      calls.push({ target, body });
      const answer = target.endsWith('.GlobalSignOut')
        ? { status: 200, json: {} }
        : body.AuthFlow === 'REFRESH_TOKEN_AUTH'
          ? { status: 200, json: { AuthenticationResult: { AccessToken: renewedToken, ExpiresIn: 900 } } }
          : target.endsWith('.InitiateAuth') && body.AuthParameters.PASSWORD !== 'Temporary-Pass-1'
            ? { status: 400, json: { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' } }
            : target.endsWith('.InitiateAuth')
              ? { status: 200, json: { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 'session-1' } }
              : { status: 200, json: { AuthenticationResult: { AccessToken: accessToken, ExpiresIn: 900, RefreshToken: 'refresh-1' } } };
      await route.fulfill({ ...answer, headers: cors });
    });

    await page.goto(`${api.url}/`);
    await page.getByLabel('Email').fill('erin@example.com');
    await page.getByLabel('Password', { exact: true }).fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The email or password is not right.').waitFor();

    await page.getByLabel('Password', { exact: true }).fill('Temporary-Pass-1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('New password', { exact: true }).fill('A-new-Passw0rd!');
    await page.getByLabel('New password again').fill('A-new-Passw0rd!');
    await page.getByRole('button', { name: 'Save password and sign in' }).click();
    await page.getByRole('heading', { name: 'Concerts' }).waitFor();
    expect(await page.locator('nav .who').textContent()).toBe('Signed in as erin@example.com');

    expect(calls.map((call) => call.target.split('.').pop())).toEqual(['InitiateAuth', 'InitiateAuth', 'RespondToAuthChallenge']);

    // Access tokens live 15 minutes: a few minutes before the end the page gets a new one with the refresh token.
    await page.clock.fastForward('11:00');
    expect(calls).toHaveLength(3);
    await page.clock.fastForward('02:00');
    await until(async () => calls.length === 4);
    expect(calls[3].body).toEqual({ AuthFlow: 'REFRESH_TOKEN_AUTH', ClientId: 'client', AuthParameters: { REFRESH_TOKEN: 'refresh-1' } });
    const stored = () =>
      page.evaluate(() =>
        JSON.parse(
          (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem('auth') ?? 'null',
        ),
      );
    await until(async () => (await stored())?.accessToken === renewedToken);
    expect(await stored()).toMatchObject({ refreshToken: 'refresh-1', name: 'erin@example.com' });
    // The page keeps working with the new token.
    await page.getByRole('link', { name: 'Wallet' }).click();
    await page.getByText(/^Balance: /).waitFor();

    // Signing out ends the session at Cognito too, with the current access token.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Email').waitFor();
    await until(async () => calls.length === 5);
    expect(calls[4]).toEqual({ target: 'AWSCognitoIdentityProviderService.GlobalSignOut', body: { AccessToken: renewedToken } });
    expect(await stored()).toBeNull();
    expect(calls[1].body).toEqual({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: 'client',
      AuthParameters: { USERNAME: 'erin@example.com', PASSWORD: 'Temporary-Pass-1' },
    });
    expect(calls[2].body).toEqual({
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      ClientId: 'client',
      Session: 'session-1',
      ChallengeResponses: { USERNAME: 'erin@example.com', NEW_PASSWORD: 'A-new-Passw0rd!' },
    });
  }, 60_000);

  test('the page waits through a whole line on the public state alone, and asks the signed-in poll only to confirm its turn', async () => {
    const concertId = await createConcertAsAdmin(api, await api.tokenFor('edge-admin', ['admin']), {
      title: 'Edge Hall Live',
      venue: 'Edge Hall',
      schedules: [{ date: daysFromNow(7), seats: [{ seatNumber: 1, price: 10_000 }] }],
    });
    await queueAhead(
      concertId,
      Array.from({ length: 7 }, (_, i) => `edge-ahead-${i + 1}`),
    );
    const page = await newPage();
    // Every call the page makes about this line, in order, and whether it carried the sign-in.
    const calls: { method: string; path: string; signedIn: boolean }[] = [];
    page.on('request', (request) => {
      const path = new URL(request.url()).pathname;
      if (request.resourceType() === 'fetch' && path.includes(`/concerts/${concertId}/queue`)) {
        calls.push({ method: request.method(), path, signedIn: request.headers().authorization !== undefined });
      }
    });
    await signIn(page, 'edge-erin');
    await getTickets(page, 'Edge Hall Live');
    await page.getByText('You are number 8 in line.').waitFor();

    await admit(); // three per run
    await page.getByText('You are number 5 in line.').waitFor();
    await admit();
    await page.getByText('You are number 2 in line.').waitFor();
    const whileWaiting = calls.length;
    await admit(); // the page's user is admitted in this run
    await page.waitForURL(new RegExp(`#/concerts/${concertId}/dates$`));

    const state = `/api/concerts/${concertId}/queue/state`;
    const poll = `/api/concerts/${concertId}/queue`;
    // The join, then only the public state (never with the sign-in) until the page reckoned its turn had come…
    expect(calls[0]).toEqual({ method: 'POST', path: poll, signedIn: true });
    const waiting = calls.slice(1, whileWaiting);
    expect(waiting.length).toBeGreaterThanOrEqual(2);
    expect(waiting).toEqual(waiting.map(() => ({ method: 'GET', path: state, signedIn: false })));
    // …then one signed-in poll confirmed it (a stale state may cost one more), and nothing else was asked of the line.
    const confirming = calls.filter((call) => call.method === 'GET' && call.path === poll);
    expect(confirming.length).toBeGreaterThanOrEqual(1);
    expect(confirming.length).toBeLessThanOrEqual(2);
    expect(confirming.every((call) => call.signedIn)).toBe(true);
    expect(calls.filter((call) => call.path !== state && call.path !== poll)).toEqual([]);
  }, 60_000);

  test('a concert that asks for proof of work: the page says it is checking, solves in Web Workers, joins and is admitted', async () => {
    const concertId = await createConcertAsAdmin(api, await api.tokenFor('proof-admin', ['admin']), {
      title: 'Proof Hall Live',
      venue: 'Proof Hall',
      schedules: [{ date: daysFromNow(7), seats: [{ seatNumber: 1, price: 10_000 }] }],
    });
    await setChallengeWork(api, concertId, 1_000);

    const page = await newPage();
    const joins: Array<{ body: string | null }> = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith(`/concerts/${concertId}/queue`)) joins.push({ body: request.postData() });
    });
    const workers: string[] = [];
    page.on('worker', (worker) => workers.push(new URL(worker.url()).pathname));
    await signIn(page, 'proof-erin');
    await getTickets(page, 'Proof Hall Live');
    await page.getByText('Checking you are not a bot…').waitFor();
    await expectView(page, page.getByText('You are next in line.'));

    // A plain join first (refused: CHALLENGE_REQUIRED), then one with the solution; the solving ran in workers.
    expect(joins).toHaveLength(2);
    expect(joins[0].body).toBeNull();
    const altcha = JSON.parse(joins[1].body!).altcha as string;
    const payload = JSON.parse(Buffer.from(altcha, 'base64').toString('utf8'));
    expect(payload.challenge.parameters.data).toMatchObject({ concertId, userId: 'proof-erin', work: 1_000 });
    expect(payload.solution).toEqual({
      counter: expect.any(Number),
      derivedKey: expect.stringMatching(/^[0-9a-f]{64}$/),
      time: expect.any(Number),
    });
    expect(workers.length).toBeGreaterThanOrEqual(1);
    expect(new Set(workers)).toEqual(new Set(['/app/challenge-worker.js']));

    await admit();
    await page.waitForURL(new RegExp(`#/concerts/${concertId}/dates$`));
    // In line already: a reload polls with its token and solves nothing again.
    await page.goto(`${api.url}/#/concerts/${concertId}/queue`);
    await page.waitForURL(new RegExp(`#/concerts/${concertId}/dates$`));
    expect(joins).toHaveLength(2);
  }, 60_000);

  test('a reload in the waiting room keeps the place and the token, without joining again', async () => {
    const concertId = 'neon-harbor';
    await queueAhead(concertId, ['reload-ahead-1', 'reload-ahead-2']);
    const page = await newPage({ width: 390, height: 760 }); // a phone's width
    const joins: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith(`/concerts/${concertId}/queue`)) joins.push(request.url());
    });
    await signIn(page, 'reload-dave');
    await getTickets(page, 'Neon Harbor Tour');
    await page.getByText('You are number 3 in line.').waitFor();
    const before = await queueEntryOf(page, 'reload-dave', concertId);

    await page.reload();
    await page.getByText('You are number 3 in line.').waitFor();
    expect(await queueEntryOf(page, 'reload-dave', concertId)).toMatchObject({ token: before!.token });
    expect(page.url()).toMatch(/#\/concerts\/neon-harbor\/queue$/);
    expect(joins).toHaveLength(1);

    await admit(); // the reloaded page still polls, and moves on when admitted
    await page.waitForURL(/#\/concerts\/neon-harbor\/dates$/);
    expect(joins).toHaveLength(1);

    // At a phone's width the seat map fits without sideways scrolling.
    await page.locator('a.date-card').first().click();
    await page.locator('[data-seat="50"]').waitFor();
    const widths = await page.evaluate(() => {
      const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document
        .documentElement;
      return { scroll: root.scrollWidth, client: root.clientWidth };
    });
    expect(widths.scroll).toBeLessThanOrEqual(widths.client);
  }, 60_000);
});
