/** The sign-in form: a user id locally, email and password (and a first new password) deployed. */
import { ApiFailure, type Api } from '../api';
import { chooseNewPassword, SignInProblem, signInLocally, signInWithCognito, type CognitoStep } from '../auth';
import { h, messageArea, replace } from '../dom';
import type { PageConfig } from '../page-config';
import type { SignedIn } from '../session';

export function renderSignIn(main: HTMLElement, api: Api, config: PageConfig, onSignedIn: (auth: SignedIn) => void, reason?: string): void {
  const messages = messageArea();
  if (reason) messages.show('warning', reason);

  const failed = (error: unknown) => {
    if (error instanceof SignInProblem) messages.show('error', error.message);
    else if (error instanceof ApiFailure) messages.show('error', error.sentence());
    else messages.show('error', 'Signing in did not work. Please try again.');
  };

  /** Runs a sign-in step with the form locked, so a double submit sends one request. */
  const submitting = (form: HTMLFormElement, run: () => Promise<void>) => async (event: Event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    form.setAttribute('aria-busy', 'true');
    form.querySelectorAll('button').forEach((b) => (b.disabled = true));
    try {
      await run();
    } catch (error) {
      failed(error);
    } finally {
      form.removeAttribute('aria-busy');
      form.querySelectorAll('button').forEach((b) => (b.disabled = false));
    }
  };

  const heading = h('h1', null, 'Sign in');
  if (config.signIn.kind === 'local') {
    const userId = h('input', {
      id: 'user-id',
      name: 'userId',
      autocomplete: 'username',
      required: true,
      maxlength: 128,
      spellcheck: 'false',
      autocapitalize: 'off',
    });
    const form = h(
      'form',
      { class: 'card form', novalidate: true },
      h('label', { for: 'user-id' }, 'User id'),
      userId,
      h(
        'p',
        { class: 'hint', id: 'user-id-hint' },
        'Running locally: pick any name, e.g. alice. Each name is its own user with its own wallet.',
      ),
      h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    );
    userId.setAttribute('aria-describedby', 'user-id-hint');
    form.addEventListener(
      'submit',
      submitting(form, async () => {
        const id = userId.value.trim();
        if (!id) {
          messages.show('error', 'Enter a user id to sign in.');
          userId.focus();
          return;
        }
        onSignedIn(await signInLocally(api, id));
      }),
    );
    replace(main, heading, messages.element, form);
    userId.focus();
    return;
  }

  const cognito = config.signIn;
  const email = h('input', { id: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h(
    'form',
    { class: 'card form', novalidate: true },
    h('label', { for: 'email' }, 'Email'),
    email,
    h('label', { for: 'password' }, 'Password'),
    password,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  const proceed = (step: CognitoStep) => {
    if (step.kind === 'signedIn') return onSignedIn(step.auth);
    const fresh = h('input', { id: 'new-password', type: 'password', autocomplete: 'new-password', required: true, minlength: 12 });
    const again = h('input', { id: 'new-password-again', type: 'password', autocomplete: 'new-password', required: true });
    const newForm = h(
      'form',
      { class: 'card form', novalidate: true },
      h('p', null, 'This is your first sign-in: choose your own password.'),
      h('label', { for: 'new-password' }, 'New password'),
      fresh,
      h('p', { class: 'hint' }, 'At least 12 characters, with upper- and lower-case letters, a digit and a symbol.'),
      h('label', { for: 'new-password-again' }, 'New password again'),
      again,
      h('button', { type: 'submit', class: 'primary' }, 'Save password and sign in'),
    );
    newForm.addEventListener(
      'submit',
      submitting(newForm, async () => {
        if (fresh.value !== again.value) {
          messages.show('error', 'The two passwords are not the same.');
          return;
        }
        proceed(await chooseNewPassword(cognito, step, fresh.value));
      }),
    );
    messages.clear();
    replace(main, heading, messages.element, newForm);
    fresh.focus();
  };
  form.addEventListener(
    'submit',
    submitting(form, async () => {
      if (!email.value.trim() || !password.value) {
        messages.show('error', 'Enter your email and password.');
        return;
      }
      proceed(await signInWithCognito(cognito, email.value.trim(), password.value));
    }),
  );
  replace(main, heading, messages.element, form);
  email.focus();
}
