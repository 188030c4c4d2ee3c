/** What the ticket page and the operator console both do to start and to find their view. */
import { needsRefresh } from './auth';
import { button, h, notice, replace } from './dom';
import { parsePageConfig, type PageConfig } from './page-config';
import type { SignedIn, signInStore } from './session';

/**
 * Wires the skip link to `main` and reads the site's settings (/app/config.json). When they cannot be
 * read, `main` says so under `heading` with a way to reload, and the answer is undefined.
 */
export async function loadPageConfig(main: HTMLElement, heading: string): Promise<PageConfig | undefined> {
  document.querySelector('.skip-link')?.addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
  try {
    const response = await fetch('/app/config.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`config.json: ${response.status}`);
    return parsePageConfig(await response.json());
  } catch {
    replace(
      main,
      h('h1', null, heading),
      notice('error', 'Its settings could not be loaded. Please reload the page in a moment.'),
      button('Reload', () => location.reload()),
    );
    return undefined;
  }
}

/** Renews the sign-in kept in `store` shortly before its token expires, so nobody is signed out by the clock mid-task. */
export function keepSignedIn(store: ReturnType<typeof signInStore>, renew: (user: SignedIn) => Promise<SignedIn | undefined>): void {
  let renewing = false;
  setInterval(() => {
    const user = store.signedIn();
    if (!user || renewing || !needsRefresh(user, Date.now())) return;
    renewing = true;
    void renew(user)
      .then((renewed) => {
        // Only if the same person is still signed in: a sign-out meanwhile stays a sign-out.
        if (renewed && store.signedIn()?.accessToken === user.accessToken) store.signIn(renewed);
      })
      .finally(() => (renewing = false));
  }, 30_000);
}

export interface Route<View> {
  readonly pattern: RegExp;
  readonly names: readonly string[];
  readonly view: View;
}

/** The route for the address after `#` (`/` when there is none), with its named parts; undefined when none matches. */
export function routeOf<View>(routes: ReadonlyArray<Route<View>>): { view: View; params: Record<string, string> } | undefined {
  const path = decodeURI(location.hash.replace(/^#/, '')) || '/';
  const route = routes.find((candidate) => candidate.pattern.test(path));
  if (!route) return undefined;
  const found = route.pattern.exec(path)!;
  return { view: route.view, params: Object.fromEntries(route.names.map((name, i) => [name, found[i + 1]!])) };
}
