/**
 * The console's sign-in. Locally: an operator id (and, to see what others see, a box to leave the
 * admin group out). Deployed: email and password of the operators' pool, then the authenticator
 * app's code; at a first sign-in a new password and the pairing of an app.
 */
import type { Api } from '../../api';
import { h, messageArea, replace } from '../../dom';
import type { SignInConfig } from '../../page-config';
import type { SignedIn } from '../../session';
import { newPasswordForm, passwordForm, submitting as submittingWith } from '../../sign-in-forms';
import {
  answerCode,
  answerNewPassword,
  confirmPairing,
  pairingLink,
  signInOperator,
  signInOperatorLocally,
  type OperatorStep,
} from '../operator-auth';

export function renderOperatorSignIn(
  main: HTMLElement,
  api: Api,
  config: SignInConfig,
  onSignedIn: (auth: SignedIn) => void,
  reason?: string,
): void {
  const messages = messageArea();
  if (reason) messages.show('warning', reason);
  const heading = h('h1', null, 'Operator sign-in');

  const submitting = (form: HTMLFormElement, run: () => Promise<void>) => submittingWith(messages, form, run);
  const show = (form: HTMLFormElement, focus: HTMLElement, ...before: Node[]) => {
    replace(main, heading, messages.element, ...before, form);
    focus.focus();
  };

  if (config.kind === 'local') {
    const userId = h('input', { id: 'operator-id', autocomplete: 'username', required: true, maxlength: 128, spellcheck: 'false' });
    const operator = h('input', { id: 'operator-group', type: 'checkbox', checked: true });
    const form = h(
      'form',
      { class: 'card form', novalidate: true },
      h('label', { for: 'operator-id' }, 'Operator id'),
      userId,
      h(
        'p',
        { class: 'hint' },
        'Running locally: any name, e.g. ada. Deployed, operators sign in with their own account and an authenticator app.',
      ),
      h('label', { class: 'check' }, operator, ' In the admin group'),
      h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
    );
    form.addEventListener(
      'submit',
      submitting(form, async () => {
        const id = userId.value.trim();
        if (!id) {
          messages.show('error', 'Enter an operator id to sign in.');
          userId.focus();
          return;
        }
        onSignedIn(await signInOperatorLocally(api, id, operator.checked));
      }),
    );
    show(form, userId);
    return;
  }

  const cognito = config;
  const codeInput = () =>
    h('input', { id: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: 6, required: true });

  const proceed = (step: OperatorStep) => {
    messages.clear();
    if (step.kind === 'signedIn') return onSignedIn(step.auth);
    if (step.kind === 'newPassword') {
      const { form, fresh, again } = newPasswordForm({ minLength: 14, submit: 'Save password' });
      form.addEventListener(
        'submit',
        submitting(form, async () => {
          if (fresh.value !== again.value) return messages.show('error', 'The two passwords are not the same.');
          proceed(await answerNewPassword(cognito, step, fresh.value));
        }),
      );
      return show(form, fresh);
    }
    const code = codeInput();
    const codeOf = () => code.value.replace(/\s/g, '');
    if (step.kind === 'code') {
      const form = h(
        'form',
        { class: 'card form', novalidate: true },
        h('label', { for: 'code' }, 'Code from your authenticator app'),
        code,
        h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
      );
      form.addEventListener(
        'submit',
        submitting(form, async () => {
          if (!/^\d{6}$/.test(codeOf())) return messages.show('error', 'Enter the six digits the app shows.');
          proceed(await answerCode(cognito, step, codeOf()));
        }),
      );
      return show(form, code);
    }
    const form = h(
      'form',
      { class: 'card form', novalidate: true },
      h('p', null, 'Operators need an authenticator app. Add this account to yours with the key below, then enter the code it shows.'),
      h('p', null, 'Key: ', h('code', { class: 'secret' }, step.secret)),
      h('p', { class: 'hint' }, h('a', { href: pairingLink(step.secret, step.username) }, 'Open in an authenticator app on this device')),
      h('label', { for: 'code' }, 'Code from your authenticator app'),
      code,
      h('button', { type: 'submit', class: 'primary' }, 'Pair and sign in'),
    );
    form.addEventListener(
      'submit',
      submitting(form, async () => {
        if (!/^\d{6}$/.test(codeOf())) return messages.show('error', 'Enter the six digits the app shows.');
        proceed(await confirmPairing(cognito, step, codeOf()));
      }),
    );
    show(form, code);
  };

  const { form, email, password } = passwordForm();
  form.addEventListener(
    'submit',
    submitting(form, async () => {
      if (!email.value.trim() || !password.value) return messages.show('error', 'Enter your email and password.');
      proceed(await signInOperator(cognito, email.value.trim(), password.value));
    }),
  );
  show(form, email);
}
