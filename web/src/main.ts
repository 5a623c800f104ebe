import { BASE, NotFound, SignInNeeded, signIn } from './api.ts';
import { clear, h } from './dom.ts';
import { renderList } from './list-page.ts';
import { currentSession, endSession } from './session.ts';

const main = document.getElementById('main') as HTMLElement;
const account = document.getElementById('account') as HTMLElement;
const search = document.getElementById('search') as HTMLFormElement;
const q = document.getElementById('q') as HTMLInputElement;

function go(url: string): void {
  history.pushState(null, '', url);
  void render();
}

function renderAccount(): void {
  clear(account);
  const s = currentSession();
  if (s) {
    account.append(
      h('span', { class: 'who' }, 'Signed in as ', h('strong', {}, s.subject)),
      h(
        'button',
        {
          type: 'button',
          id: 'sign-out',
          onclick: () => {
            endSession();
            go(`${BASE}/`);
          },
        },
        'Sign out',
      ),
    );
  } else {
    account.append(h('button', { type: 'button', id: 'sign-in', onclick: () => showSignIn('') }, 'Sign in'));
  }
}

function showSignIn(reason: string): void {
  clear(main);
  const error = h('p', { class: 'error', role: 'alert', id: 'sign-in-error' });
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const form = h(
    'form',
    {
      class: 'panel sign-in',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        error.textContent = '';
        try {
          await signIn(user.value, pass.value);
          pass.value = '';
          renderAccount();
          void render();
        } catch (err) {
          pass.value = '';
          error.textContent = err instanceof Error ? err.message : String(err);
        }
      },
    },
    h('h1', {}, 'Sign in'),
    reason ? h('p', {}, reason) : null,
    h(
      'p',
      { class: 'muted' },
      'Use a registry credential. The catalog keeps only a short-lived, read-only token for this tab.',
    ),
    h('label', { for: 'username' }, 'Username'),
    user,
    h('label', { for: 'password' }, 'Password'),
    pass,
    error,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  main.append(form);
  user.focus();
}

async function render(): Promise<void> {
  renderAccount();
  const url = new URL(location.href);
  const path = url.pathname.slice(BASE.length) || '/';
  const params = url.searchParams;
  q.value = path === '/' ? (params.get('q') ?? '') : '';
  clear(main);
  document.title = 'Packyard catalog';
  try {
    const m = /^\/packs\/([^/]+)(?:\/([^/]+))?\/?$/.exec(path);
    if (m) {
      // The pack page's parsers (Markdown, YAML) load only when a pack is opened.
      const { renderPack } = await import('./pack-page.ts');
      await renderPack(
        main,
        decodeURIComponent(m[1] ?? ''),
        m[2] ? decodeURIComponent(m[2]) : undefined,
        params.get('base') ?? '',
        go,
      );
    } else if (path === '/') {
      await renderList(main, params, go);
    } else {
      throw new NotFound(`nothing at ${path}`);
    }
  } catch (err) {
    if (err instanceof SignInNeeded) return showSignIn(err.message);
    clear(main);
    main.append(
      h(
        'div',
        { class: 'panel', role: 'alert' },
        h('h1', {}, err instanceof NotFound ? 'Not found' : 'Something went wrong'),
        h('p', {}, err instanceof Error ? err.message : String(err)),
        h('p', {}, h('a', { href: `${BASE}/`, 'data-nav': true }, 'Back to all packs')),
      ),
    );
  }
}

// In-app links (data-nav) change the view without a reload; others behave as links do.
document.addEventListener('click', (e) => {
  const a = (e.target as Element | null)?.closest?.('a[data-nav]');
  if (!a || e.defaultPrevented || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  go(a.getAttribute('href') ?? `${BASE}/`);
});
window.addEventListener('popstate', () => void render());
search.addEventListener('submit', (e) => {
  e.preventDefault();
  const params = new URLSearchParams(location.pathname.slice(BASE.length) === '/' ? location.search : '');
  if (q.value.trim()) params.set('q', q.value.trim());
  else params.delete('q');
  const qs = params.toString();
  go(`${BASE}/${qs ? `?${qs}` : ''}`);
});
void render();
