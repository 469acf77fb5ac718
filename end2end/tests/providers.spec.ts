import { expect, test, type Page } from '@playwright/test';
import {
  ADA,
  APP,
  SANDBOX,
  expectAuthError,
  onPath,
  readSession,
  recordRequests,
  screenshotPath,
  signOut,
  storageKeys,
  useConfig,
} from './helpers';

/** The CXone-flavoured sandbox (its own issuer) and the independent OpenID provider. */
const CXONE = 'http://127.0.0.1:9191';
const OIDC = 'http://127.0.0.1:9192';

async function cxoneControl(path: string, body?: unknown) {
  const response = await fetch(`${CXONE}/__sandbox/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.ok, `${path}: ${response.status}`).toBe(true);
}

/** From /login, signs in at the CXone sandbox form up to (not including) the callback. */
async function startCxone(page: Page) {
  await page.goto('/login');
  await page.getByTestId('sign-in-sandbox-cxone').click();
  await page.waitForURL((url) => url.origin === CXONE && url.pathname === '/auth/authorize');
  const authorize = new URL(page.url());
  await page.getByLabel('Username').fill(ADA.username);
  await page.getByLabel('Password').fill(ADA.password);
  return authorize;
}

/**
 * Answers the sandbox form submission at `origin` once with its real 302, after letting
 * `rewrite` change the callback URL (Playwright does not route a redirect's target itself).
 */
async function rewriteCallback(page: Page, origin: string, path: string, rewrite: (callback: URL) => void) {
  let rewritten = '';
  await page.route(
    (url) => url.origin === origin && url.pathname === path,
    async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      const response = await route.fetch({ maxRedirects: 0 });
      const location = new URL(response.headers()['location']);
      rewrite(location);
      rewritten = location.toString();
      await route.fulfill({ status: 302, headers: { location: rewritten } });
    },
    { times: 1 },
  );
  return () => rewritten;
}

const tokenPosts = (requests: ReturnType<typeof recordRequests>, origin: string, path: string) =>
  requests.requests.filter((r) => r.method === 'POST' && r.url.startsWith(`${origin}${path}`)).length;

test.describe('NICE CXone (sandbox)', () => {
  test.beforeEach(async () => {
    await cxoneControl('reset');
  });

  test('signs in and out end to end, with the profile from CXone user management', async ({ page }) => {
    const requests = recordRequests(page);
    const authorize = await startCxone(page);
    expect(authorize.searchParams.get('client_id')).toBe('pkce-desk demo@Sandbox');
    expect(authorize.searchParams.get('scope')).toBe('openid');
    expect(authorize.searchParams.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(onPath('/dashboard'));
    await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
    await expect(page.getByTestId('user-email')).toHaveText(ADA.username);
    // CXone's user record names the team and role by id only: no title or department shown.
    await expect(page.getByTestId('user-title')).toHaveCount(0);
    await expect(page.getByTestId('user-department')).toHaveCount(0);
    await expect(page.getByTestId('user-organization')).toHaveText('Sandbox Contact Center');
    await page.screenshot({ path: screenshotPath('dashboard-cxone.png'), fullPage: true });

    const gets = (path: string) => requests.requests.filter((r) => r.method === 'GET' && r.url.startsWith(`${CXONE}${path}`)).length;
    expect(gets('/.well-known/openid-configuration')).toBe(1);
    expect(gets('/.well-known/cxone-configuration')).toBe(1);
    expect(gets('/user-management/v1/users/')).toBe(1);
    expect(tokenPosts(requests, CXONE, '/auth/token')).toBe(1);
    expect(tokenPosts(requests, SANDBOX, '/oauth/token')).toBe(0);

    // Storage audit: the session and the cached discovery document, nothing else.
    expect(await storageKeys(page)).toEqual({
      session: [`pkce-desk.discovery.${CXONE}`, 'pkce-desk.session'],
      local: [],
    });
    await signOut(page, `${CXONE}/auth/authorize/logout`);
    await expect(page.getByTestId('login-notice')).toHaveText('You have signed out.');
    expect(await readSession(page)).toBeNull();
    expect(await storageKeys(page)).toEqual({ session: [], local: [] });
    // CXone's logout takes id_token_hint, post_logout_redirect_uri and state, no client_id; the
    // notice above shows only because the state came back unchanged.
    const logout = requests.requests.find((r) => r.url.startsWith(`${CXONE}/auth/authorize/logout?`));
    expect(logout).toBeTruthy();
    const params = new URL(logout!.url).searchParams;
    expect(params.get('client_id')).toBeNull();
    expect(params.get('id_token_hint')?.split('.')).toHaveLength(3);
    expect(params.get('post_logout_redirect_uri')).toBe(`${APP}/login`);
    expect(params.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(page.url()).toBe(`${APP}/login`);
  });

  test('a return from CXone logout without our state gets no "signed out" confirmation', async ({ page }) => {
    await startCxone(page);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
    await page.route(`${CXONE}/auth/authorize/logout?*`, (route) =>
      route.fulfill({ status: 302, headers: { location: `${APP}/login?state=forged` } }),
    );
    await page.getByTestId('sign-out').click();
    await page.waitForURL(`${APP}/login`);
    await expect(page.getByTestId('login-notice')).toContainText('did not confirm');
    expect(await readSession(page)).toBeNull();
  });

  test('a callback whose iss is not the server the login went to makes no token request', async ({ page }) => {
    const requests = recordRequests(page);
    await startCxone(page);
    const rewritten = await rewriteCallback(page, CXONE, '/auth/authorize', (callback) => {
      expect(callback.searchParams.get('iss')).toBe(CXONE);
      callback.searchParams.set('iss', SANDBOX);
    });
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const panel = await expectAuthError(page, 'issuer_mismatch');
    expect(requests.urls()).toContain(rewritten());
    await expect(panel.getByTestId('error-detail')).toContainText(CXONE);
    expect(tokenPosts(requests, CXONE, '/auth/token')).toBe(0);
    expect(tokenPosts(requests, SANDBOX, '/oauth/token')).toBe(0);
    expect(await readSession(page)).toBeNull();
  });

  for (const [mode, what] of [
    ['id_token_wrong_nonce', 'nonce'],
    ['id_token_wrong_aud', 'aud'],
    ['id_token_wrong_iss', 'issued by'],
    ['id_token_expired', 'expired'],
    ['id_token_malformed', 'JWT'],
    ['no_id_token', 'no ID token'],
  ] as const) {
    test(`an ID token failing its checks (${mode}) is refused and nothing is kept`, async ({ page }) => {
      await cxoneControl('fail-next', { endpoint: 'token_code', mode });
      await startCxone(page);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      const panel = await expectAuthError(page, 'id_token_rejected');
      await expect(panel.getByTestId('error-detail')).toContainText(what);
      expect(await readSession(page)).toBeNull();
      expect((await storageKeys(page)).session.filter((k) => k.startsWith('pkce-desk.tx.'))).toEqual([]);
      expect(await page.evaluate(() => Object.keys(window.localStorage))).toEqual([]);
      if (mode === 'id_token_wrong_nonce') {
        await page.screenshot({ path: screenshotPath('error-id-token.png'), fullPage: true });
      }
    });
  }
});

test.describe('mix-up defence across providers', () => {
  test('a callback claiming to come from CXone is refused by its iss before any token request', async ({ page }) => {
    const requests = recordRequests(page);
    await page.goto('/login');
    await page.getByTestId('sign-in-sandbox-genesys').click();
    await page.waitForURL((url) => url.origin === SANDBOX && url.pathname === '/oauth/authorize');
    await page.getByLabel('Username').fill(ADA.username);
    await page.getByLabel('Password').fill(ADA.password);
    await rewriteCallback(page, SANDBOX, '/oauth/authorize', (callback) => {
      callback.searchParams.set('iss', CXONE);
    });
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectAuthError(page, 'issuer_mismatch');
    expect(tokenPosts(requests, CXONE, '/auth/token')).toBe(0);
    expect(tokenPosts(requests, SANDBOX, '/oauth/token')).toBe(0);
    expect(tokenPosts(requests, OIDC, '/token')).toBe(0);
  });

  test('the code goes to the token endpoint recorded at login, even when config now names another server', async ({
    page,
  }) => {
    const requests = recordRequests(page);
    await page.goto('/login');
    await page.getByTestId('sign-in-sandbox-genesys').click();
    await page.waitForURL((url) => url.origin === SANDBOX && url.pathname === '/oauth/authorize');
    // While the agent is at the provider, config.json now sends this provider to another
    // server: a token endpoint derived from config at callback time would go there.
    await useConfig(page.context(), (config) => {
      config.providers[0].login_base = CXONE;
      config.providers[0].api_base = CXONE;
    });
    await page.getByLabel('Username').fill(ADA.username);
    await page.getByLabel('Password').fill(ADA.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
    expect(tokenPosts(requests, SANDBOX, '/oauth/token')).toBe(1);
    expect(requests.requests.filter((r) => r.url.startsWith(CXONE))).toEqual([]);
  });

  test('a login started at CXone only ever calls CXone, even when config now names another issuer', async ({
    page,
  }) => {
    const requests = recordRequests(page);
    await startCxone(page);
    await useConfig(page.context(), (config) => {
      config.providers[1].issuer = OIDC;
    });
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
    await page.getByTestId('refresh-now').click();
    await expect(page.getByTestId('refresh-history').locator('li').first()).toContainText('renewed');
    expect(tokenPosts(requests, CXONE, '/auth/token')).toBe(2);
    for (const other of [SANDBOX, OIDC]) {
      expect(requests.requests.filter((r) => r.url.startsWith(other))).toEqual([]);
    }
  });
});

test.describe('any OpenID provider (panva oidc-provider)', () => {
  test('signs in with PKCE, refreshes with offline_access, and signs out', async ({ page }) => {
    const requests = recordRequests(page);
    await page.goto('/login');
    await page.getByTestId('sign-in-oidc-provider').click();
    await page.waitForURL((url) => url.origin === OIDC);
    const authorize = new URL(requests.requests.find((r) => r.url.startsWith(`${OIDC}/auth?`))!.url);
    expect(authorize.searchParams.get('scope')).toBe('openid profile email offline_access');
    expect(authorize.searchParams.get('prompt')).toBe('consent');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');

    // oidc-provider's development sign-in and consent pages.
    await page.locator('input[name="login"]').fill('ada');
    await page.locator('input[name="password"]').fill('any');
    await page.locator('button[type="submit"]').click();
    await page.locator('button[type="submit"]').click();

    await page.waitForURL(onPath('/dashboard'));
    await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
    await expect(page.getByTestId('user-email')).toHaveText(ADA.username);
    await expect(page.getByTestId('token-renewal')).toContainText('automatic');
    expect(await storageKeys(page)).toEqual({
      session: [`pkce-desk.discovery.${OIDC}`, 'pkce-desk.session'],
      local: [],
    });
    // RFC 9207: oidc-provider sends iss and advertises it; the app accepted it.
    expect(requests.urls().some((u) => u.startsWith(`${APP}/callback?`) && new URL(u).searchParams.get('iss') === OIDC)).toBe(true);
    await page.screenshot({ path: screenshotPath('dashboard-oidc.png'), fullPage: true });

    await page.getByTestId('refresh-now').click();
    await expect(page.getByTestId('refresh-history').locator('li').first()).toContainText('renewed');
    await page.getByTestId('reload-profile').click();
    await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
    expect(tokenPosts(requests, OIDC, '/token')).toBe(2);

    await page.getByTestId('sign-out').click();
    // RFC 7009 revocation of the refresh token, then RP-initiated logout (confirm page).
    await page.waitForURL((url) => url.origin === OIDC);
    expect(requests.requests.filter((r) => r.method === 'POST' && r.url === `${OIDC}/token/revocation`).length).toBe(1);
    await page.locator('button[autofocus], button[type="submit"]').first().click();
    await page.waitForURL(onPath('/login'));
    await expect(page.getByTestId('login-notice')).toHaveText('You have signed out.');
    expect(await readSession(page)).toBeNull();
    expect(await storageKeys(page)).toEqual({ session: [], local: [] });
    // RP-Initiated Logout with the ID token as hint (the provider issued one) and our state.
    const logout = new URL(requests.requests.find((r) => r.url.startsWith(`${OIDC}/session/end?`))!.url);
    expect(logout.searchParams.get('id_token_hint')?.split('.')).toHaveLength(3);
    expect(logout.searchParams.get('client_id')).toBeNull();
    expect(logout.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
