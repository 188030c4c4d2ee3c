/**
 * The operator console (/app/admin) in a real browser (Debian's chromium driven by playwright-core)
 * against the local runtime: who may use it, the operators' sign-in as deployed (password, then the
 * authenticator app's code), and creating a concert from price tiers.
 */
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { createConcertAsAdmin, daysFromNow } from '../support/admin-concerts';
import { describeInBrowser, getTickets, screenshotDir, signIn, until, useBrowser } from '../support/browser';

// Three admitted a run, so a line moves in visible steps.
process.env.ADMIT_PER_TICK = '3';

describeInBrowser('the operator console in chromium', () => {
  const { api, newPage } = useBrowser({ page: { viewport: { width: 1200, height: 900 }, timezoneId: 'Asia/Seoul' } });
  const shots = screenshotDir();

  /** Locally the console asks for an operator id; the box puts the token in the admin group. */
  async function signInToConsole(page: Page, userId: string, operator = true): Promise<void> {
    await page.goto(`${api.url}/app/admin`);
    await page.getByLabel('Operator id').fill(userId);
    if (!operator) await page.getByLabel('In the admin group').uncheck();
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  const admit = async () => expect((await api.request('POST', '/local/jobs/activate')).status).toBe(200);

  async function joinOnTicketPage(page: Page, userId: string, title: string): Promise<void> {
    await signIn(page, userId);
    await getTickets(page, title);
  }

  test('an operator pauses the sale while a buyer waits: the buyer is told and not let in; on resume the buyer gets in', async () => {
    const [operator, buyer] = await Promise.all([newPage(), newPage({ viewport: { width: 900, height: 600 } })]);
    await signInToConsole(operator, 'console-grace');
    await operator.getByRole('link', { name: 'Open the console of Aurora Live' }).click();
    await operator.getByRole('heading', { name: 'Aurora Live' }).waitFor();
    await operator.getByText('Admission running', { exact: true }).waitFor();

    await joinOnTicketPage(buyer, 'console-buyer', 'Aurora Live');
    await buyer.getByText('You are next in line.').waitFor();

    // Pausing asks first, and says what it does.
    await operator.getByRole('button', { name: 'Pause admission' }).click();
    const dialog = operator.getByRole('dialog', { name: 'Pause admission?' });
    await dialog.getByText(/^Nobody is admitted until you resume\./).waitFor();
    // Cancel has the focus, so a stray Enter changes nothing.
    const focused = () =>
      (globalThis as unknown as { document: { activeElement: { textContent: string } | null } }).document.activeElement?.textContent;
    expect(await operator.evaluate(focused)).toBe('Cancel');
    await operator.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    expect(await operator.getByText('Admission running', { exact: true }).count()).toBe(1);
    await operator.getByRole('button', { name: 'Pause admission' }).click();
    await dialog.getByRole('button', { name: 'Pause admission' }).click();
    await operator.getByText('Admission paused', { exact: true }).waitFor();
    await operator.getByText('Saved: admission paused.').waitFor();

    // The buyer's next poll says so, and an admission run lets nobody in.
    await buyer.getByText(/^The sale is paused by the organiser: nobody is being let in right now\./).waitFor();
    await admit();
    await admit();
    await buyer.waitForTimeout(2_500); // a poll or two at the server's pace
    expect(buyer.url()).toMatch(/#\/concerts\/aurora-live\/queue$/);
    await buyer.getByText(/^The sale is paused by the organiser/).waitFor();

    // Resuming asks nothing; the next run lets the buyer in.
    await operator.getByRole('button', { name: 'Resume admission' }).click();
    await operator.getByText('Admission running', { exact: true }).waitFor();
    await buyer.getByText(/^Estimated wait: /).waitFor();
    await admit();
    await buyer.waitForURL(/#\/concerts\/aurora-live\/dates$/);

    // Both changes are in the history, newest first, by this operator.
    const rows = operator.locator('.history tbody tr');
    await until(async () => (await rows.count()) === 2);
    expect(await rows.nth(0).locator('td').nth(1).textContent()).toBe('console-grace');
    expect(await rows.nth(0).locator('td').nth(2).textContent()).toBe('Admission: paused → running');
    expect(await rows.nth(1).locator('td').nth(2).textContent()).toBe('Admission: running → paused');
  }, 90_000);

  test("an operator revokes and bans a waiting buyer: the buyer's place ends at once, the page hears so at the next admission, and a new join is refused", async () => {
    const [operator, buyer] = await Promise.all([newPage(), newPage({ viewport: { width: 900, height: 600 } })]);
    await joinOnTicketPage(buyer, 'console-banned', 'The Midnight Orchestra');
    await buyer.getByText(/in line\.$/).waitFor();

    await signInToConsole(operator, 'console-lovelace');
    await operator.getByRole('link', { name: 'Open the console of The Midnight Orchestra' }).click();
    await operator.getByLabel('User id').fill('console-banned');
    await operator.getByLabel('Also ban them from joining this concert again').check();
    await operator.getByRole('button', { name: 'Revoke', exact: true }).click();
    const dialog = operator.getByRole('dialog', { name: 'Revoke and ban console-banned?' });
    await dialog.getByText("console-banned can no longer join this concert's line.").waitFor();
    await dialog.getByRole('button', { name: 'Revoke and ban' }).click();
    await operator.getByText("console-banned's place was revoked. console-banned is banned from joining this concert.").waitFor();

    // The waiting page reads the public state, which does not list revoked places: once admission passes
    // the place, the page asks the signed-in poll, which says the place has ended.
    await admit();
    await buyer.getByText('Your turn has ended.').waitFor();
    await buyer.getByRole('button', { name: 'Join the waiting room again' }).click();
    await buyer.getByText('Your account may not join the waiting room for this concert.').waitFor();

    // Revoking again finds no place left, and says so.
    await operator.getByLabel('User id').fill('console-banned');
    await operator.getByRole('button', { name: 'Revoke', exact: true }).click();
    await operator.getByRole('dialog').getByRole('button', { name: 'Revoke', exact: true }).click();
    await operator
      .getByText('console-banned had no place in line or turn to revoke. console-banned is banned from joining this concert.')
      .waitFor();
  }, 60_000);

  test('a sale as it runs: the figures and charts follow each admission run, the sales and the line without a reload', async () => {
    const admin = await api.tokenFor('console-curie', ['admin']);
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    const seats = Array.from({ length: 60 }, (_, i) => ({ seatNumber: i + 1, price: i < 10 ? 150_000 : i < 30 ? 120_000 : 80_000 }));
    const created = await api.request('POST', '/admin/concerts', {
      token: admin,
      body: { title: 'Summer Fest', venue: 'Olympic Park', schedules: [20, 21, 22].map((n) => ({ date: day(n), seats })) },
    });
    expect(created.status).toBe(201);
    const concertId = created.body.concertId as string;
    const schedules = created.body.schedules as Array<{ scheduleId: string; date: string }>;
    const page = await newPage({ viewport: { width: 1280, height: 900 } });
    await signInToConsole(page, 'console-curie');
    await page.goto(`${api.url}/app/admin#/concerts/${concertId}`);
    await page.getByRole('heading', { name: 'Summer Fest' }).waitFor();
    await page.getByText('No points yet: the first comes with the next admission run.').first().waitFor();

    // Buyers arrive in waves of four; each run admits three, who buy one or two seats each, of the first
    // date in even waves and of the second in odd ones.
    const buyers: Array<{ token: string; queueToken: string }> = [];
    const nextSeat = [1, 1];
    const soldOn = [0, 0];
    const revenueOn = [0, 0];
    let sold = 0;
    let revenue = 0;
    for (let wave = 0; wave < 8; wave++) {
      for (let i = 0; i < 4; i++) {
        const token = await api.tokenFor(`fest-${wave}-${i}`);
        const join = await api.request('POST', `/concerts/${concertId}/queue`, { token });
        expect(join.status).toBe(201);
        buyers.push({ token, queueToken: join.body.token });
      }
      await admit();
      const d = wave % 2;
      for (const buyer of buyers.splice(0, 3)) {
        const count = 1 + (nextSeat[d] % 2);
        const reservationIds: string[] = [];
        for (let n = 0; n < count; n++, nextSeat[d]++) {
          const seat = { concertId, scheduleId: schedules[d].scheduleId, seatNumber: nextSeat[d] };
          const hold = await api.request('POST', '/reservations', { ...buyer, body: seat });
          expect(hold.status).toBe(201);
          reservationIds.push(hold.body.reservationId);
          sold++;
          soldOn[d]++;
          revenue += seats[nextSeat[d] - 1].price;
          revenueOn[d] += seats[nextSeat[d] - 1].price;
        }
        expect((await api.request('POST', '/balance/charge', { token: buyer.token, body: { amount: 1_000_000 } })).status).toBe(200);
        expect((await api.request('POST', '/payments', { ...buyer, body: { reservationIds } })).status).toBe(201);
      }
      await api.runtime.pollStream('sales-counter');
      await new Promise((resolve) => setTimeout(resolve, 1_000)); // points a second or more apart
    }
    await admit(); // the last point sees every sale

    // Read again within one refresh: the totals, and the charts' latest values.
    const figure = (label: string) => page.locator('.figure', { has: page.getByText(label, { exact: true }) }).locator('dd');
    await until(
      async () =>
        (await figure('Admitted in all').textContent()) === '27' &&
        (await figure('Seats sold').textContent())!.startsWith(`${sold} of 180`),
    );
    expect(await figure('Revenue').textContent()).toBe(`${revenue.toLocaleString('en-US')} KRW`);
    expect(await figure('Joined in all').textContent()).toBe('32');
    expect(await figure('Waiting').textContent()).toBe('5');
    const latest = (title: string) => page.locator('figure.chart', { has: page.getByRole('heading', { name: title }) }).locator('.latest');
    expect(await latest('Seats sold').textContent()).toBe(`Sold: ${sold}`);
    expect(await latest('Revenue').textContent()).toBe(`Revenue: ${revenue.toLocaleString('en-US')} KRW`);
    expect(await latest('In line and booking').textContent()).toMatch(/^Waiting: 5 · Booking \(active\): \d+$/);
    expect(await page.locator('figure.chart canvas').count()).toBe(4);

    // Sales by date: the two dates sold, the third not listed, and the whole concert under them.
    const cells = (row: Locator) => row.locator('td').allTextContents();
    for (const d of [0, 1]) {
      expect(await cells(page.locator(`.sales tbody tr[data-date="${schedules[d].date}"]`))).toEqual([
        String(soldOn[d]),
        `${revenueOn[d].toLocaleString('en-US')} KRW`,
      ]);
    }
    expect(await page.locator('.sales tbody tr').count()).toBe(2);
    expect(await cells(page.locator('.sales tfoot tr'))).toEqual([`${sold} of 180`, `${revenue.toLocaleString('en-US')} KRW`]);
    await page.screenshot({ path: join(shots, 'console-concert.png'), fullPage: true });
  }, 120_000);

  test('scheduling the opening asks first, then buyers who come early wait in the pre-queue for the time set', async () => {
    const admin = await api.tokenFor('console-noether', ['admin']);
    const concertId = await createConcertAsAdmin(api, admin, {
      title: 'Autumn Night',
      venue: 'Seoul Arts Center',
      schedules: [{ date: daysFromNow(30), seats: [{ seatNumber: 1, price: 50_000 }] }],
    });
    const [operator, buyer] = await Promise.all([newPage(), newPage({ viewport: { width: 900, height: 600 } })]);
    await signInToConsole(operator, 'console-noether');
    await operator.goto(`${api.url}/app/admin#/concerts/${concertId}`);
    await operator.getByRole('heading', { name: 'Autumn Night' }).waitFor();

    // The inputs take the operator's own time (Asia/Seoul here): the pre-queue opened a minute ago, the sale in an hour.
    const local = (ms: number) =>
      operator.evaluate((at) => {
        const date = new Date(at);
        return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
      }, ms);
    const saleOpensAt = Math.ceil((Date.now() + 3_600_000) / 60_000) * 60_000;
    await operator.getByLabel('Pre-queue opens at').fill(await local(Math.floor((Date.now() - 60_000) / 60_000) * 60_000));
    await operator.getByLabel('Sale opens at').fill(await local(saleOpensAt));
    await operator.getByRole('button', { name: 'Save changes' }).click();
    const dialog = operator.getByRole('dialog', { name: 'Save changes?' });
    await dialog.getByText(/^Pre-queue opens at: .+\. Joins before then are refused\.$/).waitFor();
    await dialog.getByText(/^Sale opens at: .+\. Nobody is admitted before then\.$/).waitFor();
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await operator.getByText(/^Saved: pre-queue opens at .+, sale opens at .+\.$/).waitFor();
    const settings = await api.request('GET', `/admin/concerts/${concertId}/waiting-room`, { token: admin });
    expect(settings.body.saleOpensAt).toBe(new Date(saleOpensAt).toISOString());

    await joinOnTicketPage(buyer, 'console-early', 'Autumn Night');
    const opens = new Date(saleOpensAt).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Seoul' });
    await buyer
      .getByText(new RegExp(`^The sale opens at (.+, )?${opens}\\. Everyone here before then gets a random place in line\\.$`))
      .waitFor();
  }, 60_000);

  test('a change made elsewhere first: the save is refused with 412, the settings reload and the operator is told', async () => {
    const page = await newPage();
    await signInToConsole(page, 'console-hopper');
    await page.getByRole('link', { name: 'Open the console of Neon Harbor Tour' }).click();
    await page.getByText('Admission running', { exact: true }).waitFor();
    const rate = page.getByRole('textbox', { name: 'Admitted per minute' });
    const before = Number(await rate.inputValue());

    // Another operator changes the rate meanwhile.
    const other = await api.tokenFor('console-other', ['admin']);
    const settings = await api.request('GET', '/admin/concerts/neon-harbor/waiting-room', { token: other });
    const patched = await api.request('PATCH', '/admin/concerts/neon-harbor/waiting-room', {
      token: other,
      headers: { 'if-match': `"${settings.body.revision}"` },
      body: { admitPerMinute: before + 7 },
    });
    expect(patched.status).toBe(200);

    await rate.fill(String(before + 100));
    await page.getByLabel('Turn length (seconds)').fill('120');
    await page.getByRole('button', { name: 'Save changes' }).click();
    // A shorter turn asks first.
    await page
      .getByRole('dialog', { name: 'Save changes?' })
      .getByText(/^Turns get shorter: 2 min instead of/)
      .waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Save changes' }).click();
    await page
      .getByText('Someone else changed these settings first, so they were reloaded. Check them, then make your change again.')
      .waitFor();
    expect(await rate.inputValue()).toBe(String(before + 7));
    const after = await api.request('GET', '/admin/concerts/neon-harbor/waiting-room', { token: other });
    expect(after.body).toMatchObject({ revision: settings.body.revision + 1, admitPerMinute: before + 7 });

    // Made again on the reloaded settings, it goes through.
    await rate.fill(String(before + 100));
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(`Saved: admitted per minute ${(before + 100).toLocaleString('en-US')} a minute.`).waitFor();
  }, 60_000);

  test('someone outside the admin group is refused in words, and the API refuses their token too', async () => {
    const page = await newPage();
    await signInToConsole(page, 'console-mallory', false);
    await page.getByRole('heading', { name: 'Operators only' }).waitFor();
    expect(await page.locator('.notice-error').textContent()).toBe(
      'This console is for operators in the admin group, and console-mallory is not one. It cannot show or change any sale; the service refuses these requests too.',
    );
    // No way into the console's views, by link or by address.
    expect(await page.getByRole('link', { name: 'New concert' }).count()).toBe(0);
    await page.goto(`${api.url}/app/admin#/new`);
    await page.getByRole('heading', { name: 'Operators only' }).waitFor();

    const token = await api.tokenFor('console-mallory');
    const refused = await api.request('POST', '/admin/concerts', { token, body: { title: 't', venue: 'v', schedules: [] } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');

    // The way out: sign in again as an operator.
    await page.getByRole('button', { name: 'Sign in as an operator' }).click();
    await page.getByLabel('Operator id').waitFor();
  }, 60_000);

  test('a new concert from price tiers: the summary, problems named by field, then the concert on sale', async () => {
    const page = await newPage();
    const sent: any[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/admin/concerts')) sent.push(request.postDataJSON());
    });
    await signInToConsole(page, 'console-ada');
    await page.getByRole('heading', { name: 'Concerts' }).waitFor();
    await page.getByRole('link', { name: 'New concert' }).first().click();

    await page.getByLabel('Title').fill('Spring Gala');
    await page.getByLabel('Venue').fill('Lotte Concert Hall');
    await page.getByLabel('Date 1').fill('2031-04-01');
    await page.getByRole('button', { name: 'Add a date' }).click();
    await page.getByLabel('Date 2').fill('2031-04-01');
    await page.getByLabel('Tier 3 rows').fill('zero');
    await page.getByRole('button', { name: 'Create concert' }).click();
    await page.getByText('Some details need fixing before the concert can be created.').waitFor();
    expect(await page.getByLabel('Date 2').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Tier 3 rows').getAttribute('aria-invalid')).toBe('true');
    expect(sent).toHaveLength(0);

    await page.getByLabel('Date 2').fill('2031-04-02');
    await page.getByLabel('Tier 3 rows').fill('3');
    await page.getByLabel('Tier 3 price (KRW)').fill('70,000');
    await page
      .getByText(
        '60 seats a date: seats 1–10 at 150,000 KRW, seats 11–30 at 120,000 KRW, seats 31–60 at 70,000 KRW. 2 dates: 120 seats in all.',
      )
      .waitFor();
    await page.screenshot({ path: join(shots, 'console-new-concert.png'), fullPage: true });
    await page.getByRole('button', { name: 'Create concert' }).click();
    await page.getByRole('heading', { name: 'Concert created' }).waitFor();
    await page.getByText('Spring Gala at Lotte Concert Hall: 2 dates, ready to sell.').waitFor();

    expect(sent).toHaveLength(1);
    expect(sent[0].schedules.map((schedule: { date: string }) => schedule.date)).toEqual(['2031-04-01', '2031-04-02']);
    const seats = sent[0].schedules[0].seats as Array<{ seatNumber: number; price: number }>;
    expect(seats.map((seat) => seat.seatNumber)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect([seats[9].price, seats[10].price, seats[30].price]).toEqual([150_000, 120_000, 70_000]);

    // On sale: in the public list, and in the console's.
    const listed = (await api.request('GET', '/concerts')).body.concerts as Array<{ title: string }>;
    expect(listed.map((concert) => concert.title)).toContain('Spring Gala');
    await page.getByRole('link', { name: 'All concerts' }).click();
    await page.getByRole('heading', { name: 'Spring Gala' }).waitFor();
  }, 60_000);

  test('deployed sign-in: the operators’ own pool, the authenticator code, and pairing an app at the first sign-in', async () => {
    const page = await newPage();
    const cognito = 'https://cognito-idp.eu-west-1.amazonaws.com/';
    const pool = (id: string, client: string) => ({ kind: 'cognito', region: 'eu-west-1', userPoolId: id, userPoolClientId: client });
    // As deployed: buyers and operators have pools of their own, and the page may talk to Cognito.
    await page.route(`${api.url}/app/config.json`, (route) =>
      route.fulfill({ json: { apiUrl: '/api', signIn: pool('eu-west-1_buyers', 'page'), adminSignIn: pool('eu-west-1_ops', 'console') } }),
    );
    await page.route(`${api.url}/app/admin`, async (route) => {
      const response = await route.fetch();
      const csp = response.headers()['content-security-policy'].replace("connect-src 'self'", `connect-src 'self' ${cognito}`);
      await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
    });
    const operatorToken = await api.tokenFor('ops-sub-1', ['admin']);
    const calls: Array<{ action: string; body: Record<string, any> }> = [];
    await page.route(cognito, async (route) => {
      const cors = { 'access-control-allow-origin': api.url, 'access-control-allow-headers': 'content-type, x-amz-target' };
      if (route.request().method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
      const action = route.request().headers()['x-amz-target'].split('.').pop()!;
      const body = route.request().postDataJSON() as Record<string, any>;
      calls.push({ action, body });
      const tokens = { AuthenticationResult: { AccessToken: operatorToken, ExpiresIn: 900, RefreshToken: 'refresh-ops' } };
      const first = body.AuthParameters?.USERNAME === 'new-ops@example.com' || String(body.Session ?? '').startsWith('new-');
      const answer =
        action === 'GlobalSignOut'
          ? {}
          : action === 'InitiateAuth' && first
            ? { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 'new-1', ChallengeParameters: { USER_ID_FOR_SRP: 'ops-sub-2' } }
            : action === 'InitiateAuth'
              ? { ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 'mfa-1', ChallengeParameters: { USER_ID_FOR_SRP: 'ops-sub-1' } }
              : action === 'RespondToAuthChallenge' && body.ChallengeName === 'NEW_PASSWORD_REQUIRED'
                ? { ChallengeName: 'MFA_SETUP', Session: 'new-2' }
                : action === 'AssociateSoftwareToken'
                  ? { SecretCode: 'JBSWY3DPEHPK3PXP', Session: 'new-3' }
                  : action === 'VerifySoftwareToken'
                    ? { Status: 'SUCCESS', Session: 'new-4' }
                    : body.ChallengeResponses?.SOFTWARE_TOKEN_MFA_CODE === '000000'
                      ? { __type: 'CodeMismatchException', message: 'Invalid code received for user' }
                      : tokens;
      await route.fulfill({ status: '__type' in answer ? 400 : 200, json: answer, headers: cors });
    });

    await page.goto(`${api.url}/app/admin`);
    await page.getByLabel('Email').fill('ops@example.com');
    await page.getByLabel('Password', { exact: true }).fill('Operator-Passw0rd!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const code = page.getByLabel('Code from your authenticator app');
    await code.fill('000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That code is not right. Enter the newest code of the app.').waitFor();
    await code.fill('123456');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Concerts' }).waitFor();
    expect(await page.locator('nav .who').textContent()).toBe('Signed in as ops@example.com');
    expect(calls.map((call) => call.body.ClientId).filter(Boolean)).toEqual(['console', 'console', 'console']);
    expect(calls[2].body).toEqual({
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      ClientId: 'console',
      Session: 'mfa-1',
      ChallengeResponses: { USERNAME: 'ops-sub-1', SOFTWARE_TOKEN_MFA_CODE: '123456' },
    });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await until(async () => calls.at(-1)?.action === 'GlobalSignOut');

    // A new operator: a password of their own, then an authenticator app paired with the key shown.
    calls.length = 0;
    await page.getByLabel('Email').fill('new-ops@example.com');
    await page.getByLabel('Password', { exact: true }).fill('Temporary-Passw0rd!');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('New password', { exact: true }).fill('A-long-new-Passw0rd!');
    await page.getByLabel('New password again').fill('A-long-new-Passw0rd!');
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.getByText('JBSWY3DPEHPK3PXP').waitFor();
    expect(await page.getByRole('link', { name: 'Open in an authenticator app on this device' }).getAttribute('href')).toBe(
      'otpauth://totp/Concert%20console%3Aops-sub-2?secret=JBSWY3DPEHPK3PXP&issuer=Concert%20console',
    );
    await page.getByLabel('Code from your authenticator app').fill('654321');
    await page.getByRole('button', { name: 'Pair and sign in' }).click();
    await page.getByRole('heading', { name: 'Concerts' }).waitFor();
    expect(calls.map((call) => call.action)).toEqual([
      'InitiateAuth',
      'RespondToAuthChallenge',
      'AssociateSoftwareToken',
      'VerifySoftwareToken',
      'RespondToAuthChallenge',
    ]);
    expect(calls[1].body.ChallengeResponses).toEqual({ USERNAME: 'ops-sub-2', NEW_PASSWORD: 'A-long-new-Passw0rd!' });
    expect(calls[3].body).toEqual({ Session: 'new-3', UserCode: '654321', FriendlyDeviceName: 'Operator console' });
    expect(calls[4].body).toEqual({
      ChallengeName: 'MFA_SETUP',
      ClientId: 'console',
      Session: 'new-4',
      ChallengeResponses: { USERNAME: 'ops-sub-2' },
    });
  }, 60_000);
});
