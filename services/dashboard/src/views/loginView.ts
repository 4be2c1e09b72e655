/** The login form: a gateway token; the role it carries decides what the page offers. */
import { h } from '../dom.js';

export function loginView(onSubmit: (token: string) => Promise<string | undefined>, message = ''): HTMLElement {
  const input = h('input', { name: 'token', type: 'password', autocomplete: 'current-password', required: true, 'aria-label': 'token', placeholder: 'token' });
  const error = h('p', { class: 'login-error', role: 'alert' }, message);
  const button = h('button', { type: 'submit' }, 'Log in');
  return h(
    'main',
    { class: 'login' },
    h(
      'form',
      {
        onsubmit: async (e: Event) => {
          e.preventDefault();
          button.disabled = true;
          error.textContent = (await onSubmit(input.value.trim())) ?? '';
          button.disabled = false;
        },
      },
      h('h1', {}, 'vigil'),
      h('p', { class: 'muted' }, 'Operator dashboard. Log in with a gateway token.'),
      input,
      button,
      error,
    ),
  );
}
