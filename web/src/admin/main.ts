/**
 * The operator console at /app/admin: a page of its own next to the ticket page, with its own
 * sign-in (deployed, the operators' user pool). One view per address (`#/…`): the concerts, a new
 * concert, and one concert's live figures, charts and controls. Only for the admin group: others
 * are told so, and the API refuses them anyway.
 */
import { Api, ApiFailure } from '../api';
import { signOutEverywhere } from '../auth';
import { Scope } from '../context';
import { button, h, link, notice, replace } from '../dom';
import { failureSentence, type FailureContext } from '../messages';
import type { SignInConfig } from '../page-config';
import { keepSignedIn, loadPageConfig, routeOf, type Route } from '../page-start';
import type { SignedIn } from '../session';
import { ConsoleApi } from './console-api';
import type { ConsoleContext } from './console-context';
import { isOperator, operatorSession, renewOperator } from './operator-auth';
import { concertView } from './views/concert';
import { concertsView } from './views/concerts';
import { newConcertView } from './views/new-concert';
import { renderOperatorSignIn } from './views/sign-in';
import './console.css';

type View = (ctx: ConsoleContext, params: Record<string, string>) => void | Promise<void>;

const ROUTES: ReadonlyArray<Route<View>> = [
  { pattern: /^\/$/, names: [], view: concertsView },
  { pattern: /^\/new$/, names: [], view: newConcertView },
  { pattern: /^\/concerts\/([^/]+)$/, names: ['concertId'], view: concertView as View },
];

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
let scope = new Scope();

async function start(): Promise<void> {
  const config = await loadPageConfig(main, 'The console could not start');
  if (!config) return;
  // Locally the one local issuer serves both; deployed, operators have a pool of their own and never the buyers'.
  const signIn = config.adminSignIn ?? (config.signIn.kind === 'local' ? config.signIn : undefined);
  if (!signIn) {
    replace(main, h('h1', null, 'The console could not start'), notice('error', 'This site has no sign-in for operators configured.'));
    return;
  }
  const api = new Api(config.apiUrl, { accessToken: () => operatorSession.signedIn()?.accessToken });
  const draw = drawing(new ConsoleApi(api), signIn);
  window.addEventListener('hashchange', () => draw());
  draw();
  // An operator watching a sale is never signed out by the clock.
  keepSignedIn(operatorSession, (user) => renewOperator(api, signIn, user));
}

function drawing(api: ConsoleApi, signIn: SignInConfig) {
  const signOut = () => {
    void signOutEverywhere(signIn, operatorSession.signedIn());
    operatorSession.signOut();
    draw();
  };

  function draw(reason?: string): void {
    scope.dispose();
    scope = new Scope();
    const user = operatorSession.signedIn();
    drawNav(user, signOut, user !== undefined && isOperator(user.accessToken));
    if (!user) {
      document.title = 'Sign in · Operator console';
      renderOperatorSignIn(
        main,
        api.api,
        signIn,
        (auth) => {
          operatorSession.signIn(auth);
          draw();
        },
        reason,
      );
      return;
    }
    if (!isOperator(user.accessToken)) return refuse(user, signOut);

    const route = routeOf(ROUTES);
    if (!route) {
      document.title = 'Not found · Operator console';
      replace(main, h('h1', null, 'Page not found'), notice('info', 'There is nothing at this address.'), link('#/', 'See the concerts'));
      return;
    }
    const viewScope = scope;
    const ctx: ConsoleContext = {
      api,
      user,
      main,
      scope: viewScope,
      navigate: (hash) => (location.hash === hash ? draw() : (location.hash = hash)),
      reload: () => draw(),
      describe(error: unknown, context: FailureContext = {}) {
        if (error instanceof ApiFailure) {
          // After the current task, so the view that asked finishes before the sign-in form or the refusal replaces it.
          if (error.kind === 'UNAUTHENTICATED') {
            operatorSession.signOut();
            setTimeout(() => draw(error.sentence()), 0);
          } else if (error.kind === 'FORBIDDEN') {
            setTimeout(() => viewScope.isAlive && refuse(user, signOut), 0);
          }
          return error.sentence(context);
        }
        console.error(error);
        return failureSentence('UNEXPECTED');
      },
    };
    Promise.resolve(route.view(ctx, route.params)).catch((error: unknown) => {
      if (!viewScope.isAlive) return;
      replace(
        main,
        h('h1', null, 'Something went wrong'),
        notice('error', ctx.describe(error)),
        button('Try again', () => draw()),
      );
    });
  }
  return draw;
}

/** Signed in, but not an operator: said plainly, with the ways out. */
function refuse(user: SignedIn, signOut: () => void): void {
  scope.dispose();
  scope = new Scope();
  document.title = 'Operators only · Operator console';
  replace(
    main,
    h('h1', null, 'Operators only'),
    notice(
      'error',
      `This console is for operators in the admin group, and ${user.name} is not one. `,
      'It cannot show or change any sale; the service refuses these requests too.',
    ),
    h(
      'div',
      { class: 'actions' },
      button('Sign in as an operator', signOut, { class: 'primary' }),
      link('/', 'Go to the ticket page', { class: 'button' }),
    ),
  );
}

/** The console's own links only for operators; anyone signed in may sign out. */
function drawNav(user: SignedIn | undefined, signOut: () => void, operator: boolean): void {
  if (!user) {
    nav.replaceChildren();
    return;
  }
  replace(
    nav,
    h(
      'ul',
      null,
      operator && [h('li', null, link('#/', 'Concerts')), h('li', null, link('#/new', 'New concert'))],
      h('li', null, link('/', 'Ticket page')),
      h('li', { class: 'who' }, h('span', { class: 'visually-hidden' }, 'Signed in as '), user.name),
      h('li', null, button('Sign out', signOut, { class: 'link-button' })),
    ),
  );
}

void start();
