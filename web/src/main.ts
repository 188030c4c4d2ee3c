/**
 * The page: reads its settings, then draws one view per address (`#/…`, so the static host
 * needs no rewrites). Views get a Context; leaving a view stops its timers.
 */
import { Api, ApiFailure } from './api';
import { refreshSignIn, signOutEverywhere } from './auth';
import type { ConcertSummary } from './api-types';
import { liveTurn, Scope, type Context } from './context';
import { button, h, link, notice, replace } from './dom';
import { formatCountdown } from './format';
import { leaveLine } from './leave-line';
import { failureSentence, type FailureContext } from './messages';
import type { PageConfig } from './page-config';
import { keepSignedIn, loadPageConfig, routeOf, type Route } from './page-start';
import { session, type SignedIn } from './session';
import { checkoutView } from './views/checkout';
import { concertsView } from './views/concerts';
import { datesView } from './views/dates';
import { historyView } from './views/history';
import { receiptView } from './views/receipt';
import { seatMapView } from './views/seat-map';
import { renderSignIn } from './views/sign-in';
import { waitingRoomView } from './views/waiting-room';
import { walletView } from './views/wallet';

type View = (ctx: Context, params: Record<string, string>) => void | Promise<void>;

const ROUTES: ReadonlyArray<Route<View>> = [
  { pattern: /^\/$/, names: [], view: concertsView },
  { pattern: /^\/concerts\/([^/]+)\/queue$/, names: ['concertId'], view: waitingRoomView as View },
  { pattern: /^\/concerts\/([^/]+)\/dates$/, names: ['concertId'], view: datesView as View },
  { pattern: /^\/concerts\/([^/]+)\/dates\/([^/]+)$/, names: ['concertId', 'scheduleId'], view: seatMapView as View },
  { pattern: /^\/concerts\/([^/]+)\/checkout$/, names: ['concertId'], view: checkoutView as View },
  { pattern: /^\/receipt\/([^/]+)$/, names: ['paymentId'], view: receiptView as View },
  { pattern: /^\/wallet$/, names: [], view: walletView },
  { pattern: /^\/payments$/, names: [], view: historyView },
];

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
const turnBar = document.getElementById('turn')!;

let scope = new Scope();
let turnScope = new Scope();
let concerts: Promise<readonly ConcertSummary[]> | undefined;
let firstRender = true;
/** What a view asked to be said on the next one (see Context.notice). */
let handedOver: string | undefined;

async function start(): Promise<void> {
  const config = await loadPageConfig(main, 'The page could not start');
  if (!config) return;
  const api = new Api(config.apiUrl, { accessToken: () => session.signedIn()?.accessToken });
  const render = () => draw(api, config);
  window.addEventListener('hashchange', render);
  render();
  // A person mid-checkout is never signed out by the clock.
  keepSignedIn(session, (user) => refreshSignIn(api, config.signIn, user));
}

function draw(api: Api, config: PageConfig, signInReason?: string): void {
  scope.dispose();
  turnScope.dispose();
  turnBar.hidden = true;
  scope = new Scope();
  const user = session.signedIn();
  drawNav(api, config, user);
  if (!user) {
    document.title = 'Sign in · Concert tickets';
    renderSignIn(
      main,
      api,
      config,
      (auth) => {
        session.signIn(auth);
        draw(api, config);
      },
      signInReason,
    );
    return;
  }

  const route = routeOf(ROUTES);
  if (!route) {
    document.title = 'Not found · Concert tickets';
    replace(
      main,
      h('h1', null, 'Page not found'),
      notice('info', 'There is nothing at this address.'),
      link('#/', 'See the concerts', { class: 'button primary' }),
    );
    return;
  }
  const ctx = contextFor(api, config, user, scope, handedOver);
  handedOver = undefined;
  // Keyboard and screen-reader users land at the top of the new view, not on a stale link.
  if (!firstRender) main.focus({ preventScroll: false });
  firstRender = false;
  Promise.resolve(route.view(ctx, route.params)).catch((error: unknown) => {
    if (!ctx.scope.isAlive) return;
    replace(
      main,
      h('h1', null, 'Something went wrong'),
      notice('error', ctx.describe(error)),
      button('Try again', () => ctx.reload()),
    );
  });
}

function contextFor(api: Api, config: PageConfig, user: SignedIn, viewScope: Scope, handed: string | undefined): Context {
  const ctx: Context = {
    api,
    config,
    user,
    main,
    scope: viewScope,
    notice: handed,
    navigate(hash, options = {}) {
      handedOver = options.notice;
      if (location.hash === hash) return draw(api, config);
      if (options.replace) {
        history.replaceState(null, '', hash);
        draw(api, config);
      } else {
        location.hash = hash;
      }
    },
    reload: () => draw(api, config),
    describe(error: unknown, context: FailureContext = {}) {
      if (error instanceof ApiFailure) {
        if (error.kind === 'UNAUTHENTICATED') {
          session.signOut();
          // After the current task, so the view that asked finishes before the sign-in form replaces it.
          setTimeout(() => draw(api, config, error.sentence()), 0);
        }
        return error.sentence(context);
      }
      console.error(error);
      return failureSentence('UNEXPECTED');
    },
    concert(concertId) {
      concerts ??= api.listConcerts().then(
        ({ body }) => body.concerts,
        (error: unknown) => {
          concerts = undefined;
          throw error;
        },
      );
      return concerts.then((list) => list.find((c) => c.concertId === concertId)).catch(() => undefined);
    },
    showTurn(concertId, activeUntil) {
      turnScope.dispose();
      turnScope = new Scope();
      const until = Date.parse(activeUntil);
      const time = h('strong', { class: 'countdown' });
      const problem = h('span', { class: 'problem', role: 'alert' });
      const done = button("I'm done", () => void endTurn(), { class: 'secondary' });
      const endTurn = async () => {
        const turn = liveTurn(user, concertId);
        if (!turn) return ctx.turnEnded(concertId);
        if (done.getAttribute('aria-busy') === 'true') return; // asked already
        done.setAttribute('aria-busy', 'true');
        problem.textContent = '';
        const title = (await ctx.concert(concertId))?.title ?? 'this concert';
        const outcome = await leaveLine(ctx, { concertId, token: turn.token, title, turn: true });
        problem.textContent = outcome.problem ?? '';
        done.removeAttribute('aria-busy');
      };
      const remaining = h('span', null, 'Your turn to book: ', time, ' left.');
      replace(turnBar, remaining, ' ', done, problem);
      turnBar.hidden = false;
      let warned = false;
      const tick = () => {
        const left = until - Date.now();
        time.textContent = formatCountdown(left);
        if (left <= 60_000 && !warned) {
          warned = true;
          remaining.setAttribute('role', 'alert'); // said once, a minute before the end
        }
        if (left <= 0) ctx.turnEnded(concertId);
      };
      tick();
      turnScope.every(1_000, tick);
    },
    turnEnded(concertId) {
      viewScope.dispose();
      turnScope.dispose();
      turnBar.hidden = true;
      session.setQueue(user.userId, concertId, undefined);
      replace(
        main,
        h('h1', null, 'Your turn has ended'),
        notice('warning', 'Your time to book ran out, so your seats that were not paid for are free for others again.'),
        link(`#/concerts/${encodeURIComponent(concertId)}/queue`, 'Join the waiting room again', { class: 'button primary' }),
        ' ',
        link('#/', 'Back to the concerts', { class: 'button' }),
      );
      main.focus();
    },
  };
  return ctx;
}

function drawNav(api: Api, config: PageConfig, user: SignedIn | undefined): void {
  if (!user) {
    nav.replaceChildren();
    return;
  }
  replace(
    nav,
    h(
      'ul',
      null,
      h('li', null, link('#/', 'Concerts')),
      h('li', null, link('#/wallet', 'Wallet')),
      h('li', null, link('#/payments', 'Payments')),
      h('li', { class: 'who' }, h('span', { class: 'visually-hidden' }, 'Signed in as '), user.name),
      h(
        'li',
        null,
        button(
          'Sign out',
          () => {
            void signOutEverywhere(config.signIn, session.signedIn());
            session.signOut();
            draw(api, config);
          },
          { class: 'link-button' },
        ),
      ),
    ),
  );
}

void start();
