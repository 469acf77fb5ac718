// The JavaScript reference for the benchmark: the same user-visible job as pkce-desk, written the
// way a JavaScript team would with oidc-client-ts (the most used SPA OIDC/OAuth client).
//
// - reads /config.json (the same file and fields as pkce-desk), renders one "Sign in with <label>"
//   button per provider (data-testid="sign-in-<id>") once it can act on a click;
// - /callback: removes code and state from the address bar, exchanges the code
//   (UserManager.signinRedirectCallback: state check, PKCE verifier, one token request), loads
//   /api/v2/users/me?expand=presence,routingStatus,organization with the access token and
//   shows the dashboard (data-testid="user-name"), at /dashboard;
// - the dashboard: profile, token expiry countdown, "Refresh now" (signinSilent, which uses the
//   refresh token), "Sign out" (revoke, forget, provider logout).
//
// Genesys Cloud is not an OpenID provider (no discovery document, no id_token), so the client gets
// explicit `metadata` (no discovery request), a scope without `openid` (with it, oidc-client-ts
// insists on an id_token) and `loadUserInfo: false`. Tokens live in sessionStorage, like
// pkce-desk's default. DOM is built with textContent only, never innerHTML.

import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

const PROVIDER_KEY = 'ref.provider';

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'onclick') el.addEventListener('click', value);
    else if (value !== undefined && value !== null && value !== false) el.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function shell(...children) {
  return h('div', { class: 'shell' },
    h('header', { class: 'topbar' }, h('span', { class: 'brand' }, 'pkce-desk')),
    h('main', { class: 'content', id: 'main' }, ...children));
}

function show(view) {
  document.getElementById('boot')?.remove();
  document.body.replaceChildren(view);
}

function errorView(title, detail) {
  return shell(h('section', { class: 'card' },
    h('div', { class: 'error-panel', role: 'alert', 'data-testid': 'auth-error' },
      h('h1', {}, title), h('p', {}, detail),
      h('p', {}, h('a', { href: '/login', class: 'button primary', 'data-testid': 'fresh-sign-in' }, 'Start a fresh sign-in')))));
}

function endpoints(provider) {
  const login = provider.login_base ?? `https://login.${provider.region}`;
  const api = provider.api_base ?? `https://api.${provider.region}`;
  return { login, api, user: `${api}/api/v2/users/me`, revoke: `${api}/api/v2/tokens/me` };
}

function managerFor(provider) {
  const { login } = endpoints(provider);
  const scopes = (provider.scopes ?? []).filter((s) => s !== 'openid');
  return new UserManager({
    authority: login,
    client_id: provider.client_id,
    redirect_uri: provider.redirect_uri ?? `${location.origin}/callback`,
    post_logout_redirect_uri: provider.post_logout_redirect_uri ?? `${location.origin}/login`,
    response_type: 'code',
    scope: scopes.length ? scopes.join(' ') : 'users:readonly',
    loadUserInfo: false,
    fetchRequestCredentials: 'omit',
    userStore: new WebStorageStateStore({ store: sessionStorage }),
    metadata: {
      issuer: login,
      authorization_endpoint: `${login}/oauth/authorize`,
      token_endpoint: `${login}/oauth/token`,
      end_session_endpoint: `${login}/logout`,
    },
  });
}

async function loadConfig() {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json could not be loaded (HTTP ${response.status})`);
  const config = await response.json();
  if (!Array.isArray(config.providers) || config.providers.length === 0) {
    throw new Error('config.json: providers: at least one is required');
  }
  return config;
}

function loginPage(config, notice) {
  const buttons = config.providers.map((provider) => {
    const button = h('button', {
      type: 'button',
      class: 'provider-button',
      'data-testid': `sign-in-${provider.id}`,
      onclick: async () => {
        for (const b of document.querySelectorAll('.provider-button')) b.disabled = true;
        sessionStorage.setItem(PROVIDER_KEY, provider.id);
        try {
          await managerFor(provider).signinRedirect();
        } catch (err) {
          show(errorView('Sign-in could not start', String(err?.message ?? err)));
        }
      },
    },
    h('span', { class: 'provider-label' }, `Sign in with ${provider.label}`),
    h('span', { class: 'provider-region' }, `Genesys Cloud · ${provider.region}`));
    return h('li', {}, button);
  });
  show(shell(h('section', { class: 'card login-card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, 'Sign in'),
    h('p', { class: 'lead' }, 'Use your contact-center account to open the agent desktop.'),
    notice ? h('p', { class: 'notice', role: 'status', 'data-testid': 'login-notice' }, notice) : null,
    h('ul', { class: 'providers' }, buttons))));
}

async function getProfile(manager, provider) {
  const url = `${endpoints(provider).user}?expand=presence,routingStatus,organization`;
  const call = async (user) => fetch(url, {
    headers: { Authorization: `Bearer ${user.access_token}`, Accept: 'application/json' },
    cache: 'no-store',
    credentials: 'omit',
    referrerPolicy: 'no-referrer',
  });
  let user = await manager.getUser();
  if (!user) throw new Error('not signed in');
  let response = await call(user);
  if (response.status === 401 && user.refresh_token) {
    user = await manager.signinSilent();
    response = await call(user);
  }
  if (!response.ok) throw new Error(`users/me answered HTTP ${response.status}`);
  return response.json();
}

function row(label, testid, value) {
  return [h('dt', {}, label), h('dd', { 'data-testid': testid }, value || '—')];
}

function dashboard(manager, provider, user) {
  const profileSlot = h('div', {}, h('p', { class: 'hint', role: 'status', 'data-testid': 'user-loading' }, 'Loading your profile…'));
  const expiry = h('dd', { 'data-testid': 'token-expiry' });
  const renewals = h('ul', { class: 'history', 'data-testid': 'refresh-history' });
  let current = user;
  const tick = () => {
    const left = current?.expires_in;
    expiry.textContent = left === undefined ? 'unknown' : `${Math.floor(left / 60)} min ${String(left % 60).padStart(2, '0')} s`;
  };
  tick();
  setInterval(tick, 1000);
  manager.events.addUserLoaded((u) => { current = u; tick(); });

  const refreshNow = async () => {
    const at = new Date().toLocaleTimeString();
    try {
      current = await manager.signinSilent();
      renewals.prepend(h('li', {}, `${at} — renewed`));
    } catch (err) {
      renewals.prepend(h('li', {}, `${at} — failed: ${err?.message ?? err}`));
    }
    tick();
  };
  const signOut = async () => {
    const { revoke, login } = endpoints(provider);
    const u = await manager.getUser();
    if (u) {
      await fetch(revoke, { method: 'DELETE', headers: { Authorization: `Bearer ${u.access_token}` }, credentials: 'omit' }).catch(() => {});
    }
    await manager.removeUser();
    const back = provider.post_logout_redirect_uri ?? `${location.origin}/login`;
    location.assign(`${login}/logout?client_id=${encodeURIComponent(provider.client_id)}&redirect_uri=${encodeURIComponent(back)}`);
  };

  show(shell(h('section', { class: 'dashboard' },
    h('header', { class: 'dashboard-header' },
      h('div', {}, h('h1', {}, 'Agent desktop'), h('p', { class: 'hint' }, `${provider.label} · ${provider.region}`)),
      h('button', { type: 'button', class: 'button', 'data-testid': 'sign-out', onclick: signOut }, 'Sign out')),
    h('div', { class: 'panels' },
      h('article', { class: 'card' }, h('h2', {}, 'Signed in as'), profileSlot),
      h('article', { class: 'card' }, h('h2', {}, 'Session'),
        h('dl', { class: 'facts' }, h('dt', {}, 'Access token expires in'), expiry),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'button', 'data-testid': 'refresh-now', onclick: refreshNow }, 'Refresh now')),
        renewals)))));

  getProfile(manager, provider).then((me) => {
    const name = me.name ?? me.username ?? me.id;
    const initials = name.split(/\s+/).map((w) => w[0]).filter(Boolean).slice(0, 2).join('').toUpperCase();
    profileSlot.replaceChildren(
      h('div', { class: 'profile' },
        h('div', { class: 'avatar', 'aria-hidden': 'true' }, initials),
        h('div', {},
          h('p', { class: 'user-name', 'data-testid': 'user-name' }, name),
          h('p', { class: 'hint', 'data-testid': 'user-email' }, me.email ?? ''))),
      h('dl', { class: 'facts' },
        row('Title', 'user-title', me.title),
        row('Department', 'user-department', me.department),
        row('Organization', 'user-organization', me.organization?.name),
        row('Presence', 'user-presence', me.presence?.presenceDefinition?.systemPresence)));
  }, (err) => {
    profileSlot.replaceChildren(h('div', { class: 'error-panel', role: 'alert', 'data-testid': 'auth-error' }, String(err?.message ?? err)));
  });
}

function providerFromSession(config) {
  const id = sessionStorage.getItem(PROVIDER_KEY);
  return config.providers.find((p) => p.id === id) ?? null;
}

async function main() {
  let config;
  try {
    config = await loadConfig();
  } catch (err) {
    show(errorView('The app is not configured', String(err?.message ?? err)));
    return;
  }
  const path = location.pathname;
  if (path === '/callback') {
    const url = location.href;
    // Before any await: code and state leave the address bar and the history entry.
    history.replaceState(null, '', '/callback');
    const provider = providerFromSession(config);
    if (!provider || !new URL(url).searchParams.has('state')) {
      show(errorView('No sign-in in progress', 'This page finishes a sign-in started from the sign-in page.'));
      return;
    }
    show(shell(h('section', { class: 'card center', 'aria-busy': 'true' },
      h('div', { class: 'spinner', 'aria-hidden': 'true' }),
      h('p', { role: 'status', 'data-testid': 'callback-status' }, 'Signing you in…'))));
    const manager = managerFor(provider);
    try {
      const user = await manager.signinRedirectCallback(url);
      history.replaceState(null, '', '/dashboard');
      dashboard(manager, provider, user);
    } catch (err) {
      show(errorView('Sign-in did not complete', String(err?.message ?? err)));
    }
    return;
  }
  const provider = providerFromSession(config);
  const manager = provider ? managerFor(provider) : null;
  const user = manager ? await manager.getUser() : null;
  const signedIn = user && !user.expired;
  if (path === '/dashboard' && signedIn) {
    dashboard(manager, provider, user);
  } else if (path === '/' || path === '/dashboard' || path === '/login') {
    if (signedIn && path !== '/dashboard') {
      history.replaceState(null, '', '/dashboard');
      dashboard(manager, provider, user);
      return;
    }
    if (path !== '/login') history.replaceState(null, '', '/login');
    loginPage(config);
  } else {
    show(errorView('Page not found', `There is no page at ${path}.`));
  }
}

main();
