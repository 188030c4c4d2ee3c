/** The sign-in form: a user id locally, email and password (and a first new password) deployed. */
import type { Api } from '../api';
import { chooseNewPassword, signInLocally, signInWithCognito, type CognitoStep } from '../auth';
import { h, messageArea, replace } from '../dom';
import type { PageConfig } from '../page-config';
import type { SignedIn } from '../session';
import { newPasswordForm, passwordForm, submitting as submittingWith } from '../sign-in-forms';

export function renderSignIn(main: HTMLElement, api: Api, config: PageConfig, onSignedIn: (auth: SignedIn) => void, reason?: string): void {
  const messages = messageArea();
  if (reason) messages.show('warning', reason);

  const submitting = (form: HTMLFormElement, run: () => Promise<void>) => submittingWith(messages, form, run);

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
  const { form, email, password } = passwordForm();
  const proceed = (step: CognitoStep) => {
    if (step.kind === 'signedIn') return onSignedIn(step.auth);
    const { form: newForm, fresh, again } = newPasswordForm({ minLength: 12, submit: 'Save password and sign in' });
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
