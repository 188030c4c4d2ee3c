/** The parts of the sign-in forms that the ticket page and the operator console both show. */
import { ApiFailure } from './api';
import { SignInProblem } from './auth';
import { h, type Child } from './dom';

type Messages = { show(tone: 'error', ...children: Child[]): void };

/**
 * A submit handler that runs a sign-in step with the form locked, so a double submit sends one
 * request; a failure is said in `messages`, in the service's own words where it has them.
 */
export const submitting = (messages: Messages, form: HTMLFormElement, run: () => Promise<void>) => async (event: Event) => {
  event.preventDefault();
  if (form.getAttribute('aria-busy') === 'true') return;
  form.setAttribute('aria-busy', 'true');
  form.querySelectorAll('button').forEach((b) => (b.disabled = true));
  try {
    await run();
  } catch (error) {
    if (error instanceof SignInProblem) messages.show('error', error.message);
    else if (error instanceof ApiFailure) messages.show('error', error.sentence());
    else messages.show('error', 'Signing in did not work. Please try again.');
  } finally {
    form.removeAttribute('aria-busy');
    form.querySelectorAll('button').forEach((b) => (b.disabled = false));
  }
};

/** Email and password, as a user pool signs in. */
export function passwordForm(): { form: HTMLFormElement; email: HTMLInputElement; password: HTMLInputElement } {
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
  return { form, email, password };
}

/** A first sign-in's own password, twice; `minLength` is the pool's policy. */
export function newPasswordForm(options: { minLength: number; submit: string }): {
  form: HTMLFormElement;
  fresh: HTMLInputElement;
  again: HTMLInputElement;
} {
  const fresh = h('input', {
    id: 'new-password',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    minlength: options.minLength,
  });
  const again = h('input', { id: 'new-password-again', type: 'password', autocomplete: 'new-password', required: true });
  const form = h(
    'form',
    { class: 'card form', novalidate: true },
    h('p', null, 'This is your first sign-in: choose your own password.'),
    h('label', { for: 'new-password' }, 'New password'),
    fresh,
    h('p', { class: 'hint' }, `At least ${options.minLength} characters, with upper- and lower-case letters, a digit and a symbol.`),
    h('label', { for: 'new-password-again' }, 'New password again'),
    again,
    h('button', { type: 'submit', class: 'primary' }, options.submit),
  );
  return { form, fresh, again };
}
