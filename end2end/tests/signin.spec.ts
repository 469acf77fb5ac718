import { expect, test, type Page } from '@playwright/test';
import {
  ADA,
  APP,
  PROVIDER_BUTTON_TEXT,
  PROVIDER_ID,
  SANDBOX,
  SESSION_KEY,
  TX_PREFIX,
  expectAuthError,
  expectDashboard,
  gotoLogin,
  onPath,
  readSession,
  recordDialogs,
  recordRequests,
  screenshotPath,
  sessionStorageKeys,
  signIn,
  startSignIn,
  submitSandboxForm,
} from './helpers';

/** Whether a URL carries an authorization code (`code_challenge` does not count). */
const carriesCode = (url: string) => url !== 'about:blank' && new URL(url).searchParams.has('code');

test.describe('sign-in with the sandbox (Genesys Cloud stand-in)', () => {
  test('full sign-in from / lands on the dashboard with one code exchange', async ({ page }) => {
    const requests = recordRequests(page);

    await page.goto('/');
    await page.waitForURL(onPath('/login'));
    await expect(page.getByRole('heading', { name: 'Sign in', exact: true })).toBeVisible();
    const button = page.getByRole('button', { name: PROVIDER_BUTTON_TEXT });
    await expect(button).toBeVisible();
    await expect(button).toHaveAttribute('data-testid', `sign-in-${PROVIDER_ID}`);
    await page.screenshot({ path: screenshotPath('login.png'), fullPage: true });

    await button.click();
    await page.waitForURL((url) => url.origin === SANDBOX && url.pathname === '/oauth/authorize');
    // The authorization request is a PKCE (S256) code request for our client and callback.
    const authorize = new URL(page.url());
    expect(authorize.searchParams.get('response_type')).toBe('code');
    expect(authorize.searchParams.get('client_id')).toBe('pkce-desk-demo');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${APP}/callback`);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('state')).toBeTruthy();
    expect(authorize.searchParams.has('code_verifier')).toBe(false);

    await submitSandboxForm(page, { username: ADA.username, password: ADA.password });
    await expectDashboard(page, ADA.name);
    await expect(page.getByTestId('user-email')).toHaveText(ADA.username);
    await expect(page.getByTestId('user-title')).toHaveText(ADA.title);
    await expect(page.getByTestId('user-department')).toHaveText(ADA.department);
    await expect(page.getByTestId('user-organization')).toHaveText('Sandbox Contact Center');
    await expect(page.getByTestId('token-expiry')).toHaveText(/^(1 h 00 min|59 min \d{2} s)$/);
    await expect(page.getByTestId('sign-out')).toHaveText('Sign out');

    // Exactly one code exchange and one profile load.
    expect(requests.tokenPosts()).toBe(1);
    expect(requests.userGets()).toBe(1);

    // The code and state are gone from the address bar.
    const finalUrl = page.url();
    expect(finalUrl).not.toContain('code=');
    expect(finalUrl).not.toContain('state=');

    // The access token never appears in any URL the browser requested.
    const session = await readSession(page);
    expect(session).not.toBeNull();
    const accessToken: string = session.tokens.access_token;
    expect(typeof accessToken).toBe('string');
    expect(accessToken.length).toBeGreaterThan(10);
    const leaking = requests.urls().filter(
      (url) => url.includes(accessToken) || url.includes(encodeURIComponent(accessToken)),
    );
    expect(leaking).toEqual([]);
    const refreshToken: string | undefined = session.tokens.refresh_token;
    if (refreshToken) {
      expect(requests.urls().filter((url) => url.includes(refreshToken))).toEqual([]);
    }
    // The login transaction was used up.
    expect((await sessionStorageKeys(page)).filter((k) => k.startsWith(TX_PREFIX))).toEqual([]);

    // The README's main screenshot: wait for the worked example's queues too.
    await expect(page.getByTestId('queue-item')).toHaveCount(3);
    await page.screenshot({ path: screenshotPath('dashboard.png'), fullPage: true });
  });

  test('/dashboard signed out goes to /login with return_to, and comes back after sign-in', async ({
    page,
  }) => {
    const requests = recordRequests(page);

    await page.goto('/dashboard');
    await page.waitForURL(onPath('/login'));
    const login = new URL(page.url());
    expect(login.pathname).toBe('/login');
    expect(login.searchParams.get('return_to')).toBe('/dashboard');
    expect(requests.tokenPosts()).toBe(0);

    await startSignIn(page);
    await submitSandboxForm(page);
    await expectDashboard(page);
    expect(new URL(page.url()).search).toBe('');
    expect(requests.tokenPosts()).toBe(1);
  });

  test('a tampered state at the callback is refused without any token request', async ({ page }) => {
    const requests = recordRequests(page);
    await gotoLogin(page);
    const authorize = await startSignIn(page);
    const realState = authorize.searchParams.get('state');
    expect(realState).toBeTruthy();

    // Playwright does not hand a redirect's target (the browser's navigation to
    // /callback?code=…&state=…) to route handlers, so intercept the form submission whose
    // 302 leads there, and answer it once with the same 302 but a tampered state.
    let tamperedLocation: string | null = null;
    await page.route(
      (url) => url.origin === SANDBOX && url.pathname === '/oauth/authorize',
      async (route) => {
        if (route.request().method() !== 'POST') {
          await route.fallback();
          return;
        }
        const response = await route.fetch({ maxRedirects: 0 });
        expect(response.status()).toBe(302);
        const location = new URL(response.headers()['location']);
        expect(`${location.origin}${location.pathname}`).toBe(`${APP}/callback`);
        expect(location.searchParams.get('code')).toBeTruthy();
        expect(location.searchParams.get('state')).toBe(realState);
        location.searchParams.set('state', `${realState}-tampered`);
        tamperedLocation = location.toString();
        await route.fulfill({ status: 302, headers: { location: tamperedLocation } });
      },
      { times: 1 },
    );

    await submitSandboxForm(page);
    const panel = await expectAuthError(page, 'unknown_transaction');
    expect(tamperedLocation).not.toBeNull();
    // The browser did arrive with the tampered state…
    expect(requests.urls()).toContain(tamperedLocation);
    // …and nothing was exchanged.
    await expect(page.getByTestId('error-title')).not.toBeEmpty();
    await expect(page.getByTestId('error-remedy')).not.toBeEmpty();
    await expect(panel.getByTestId('fresh-sign-in')).toHaveAttribute('href', '/login');
    expect(requests.tokenPosts()).toBe(0);
    expect(await readSession(page)).toBeNull();
    expect(page.url()).not.toContain('code=');
    await page.screenshot({ path: screenshotPath('error-state-mismatch.png'), fullPage: true });
  });

  test('a forged callback with no sign-in started is refused without any token request', async ({
    page,
  }) => {
    const requests = recordRequests(page);
    await page.goto('/callback?code=abc&state=forged');
    await expectAuthError(page, 'unknown_transaction');
    await expect(page.getByTestId('fresh-sign-in')).toBeVisible();
    expect(requests.tokenPosts()).toBe(0);
    expect(await readSession(page)).toBeNull();
    // The forged code is not left in the address bar either.
    expect(page.url()).not.toContain('code=');
  });

  test('sign out revokes, ends the provider session and lands on /login with a notice', async ({
    page,
    request,
  }) => {
    const requests = recordRequests(page);
    await signIn(page);
    const accessToken: string = (await readSession(page)).tokens.access_token;

    const logout = page.waitForRequest(
      (r) => r.url().startsWith(`${SANDBOX}/logout`) && r.isNavigationRequest(),
    );
    await page.getByTestId('sign-out').click();
    const logoutRequest = await logout;
    const logoutUrl = new URL(logoutRequest.url());
    expect(logoutUrl.searchParams.get('client_id')).toBe('pkce-desk-demo');
    expect(logoutUrl.searchParams.get('redirect_uri')).toBe(`${APP}/login`);

    // Back from the sandbox's logout: exactly /login, no query.
    await page.waitForURL(`${APP}/login`);
    await expect(page.getByTestId('login-notice')).toHaveText('You have signed out.');
    await expect(page.getByTestId(`sign-in-${PROVIDER_ID}`)).toBeVisible();
    expect(await readSession(page)).toBeNull();
    expect(await sessionStorageKeys(page)).not.toContain(SESSION_KEY);

    // The tokens were revoked at the provider: the old access token no longer works.
    expect(requests.count('DELETE', '/api/v2/tokens/me')).toBe(1);
    const afterRevocation = await request.get(`${SANDBOX}/api/v2/users/me`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(afterRevocation.status()).toBe(401);

    // Signed out for good: the dashboard sends us to the login page.
    await page.goto('/dashboard');
    await page.waitForURL(onPath('/login'));
    expect(new URL(page.url()).searchParams.get('return_to')).toBe('/dashboard');
    await expect(page.getByTestId('user-name')).toHaveCount(0);
    expect(requests.tokenPosts()).toBe(1);
  });

  test('cancelling at the provider shows a cancelled error and offers a fresh sign-in', async ({
    page,
  }) => {
    const requests = recordRequests(page);
    await gotoLogin(page);
    await startSignIn(page);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();

    await page.waitForURL(onPath('/callback'));
    const panel = await expectAuthError(page, 'authorization_error');
    await expect(page.getByTestId('error-title')).toContainText(/cancel/i);
    await expect(page.getByTestId('error-detail')).toContainText('access_denied');
    await expect(page.getByTestId('error-remedy')).not.toBeEmpty();
    expect(page.url()).not.toContain('error=');
    expect(requests.tokenPosts()).toBe(0);
    // The error ends the login: its transaction (and verifier) is gone.
    expect((await sessionStorageKeys(page)).filter((k) => k.startsWith(TX_PREFIX))).toEqual([]);
    await page.screenshot({ path: screenshotPath('error-cancelled.png'), fullPage: true });

    const fresh = panel.getByTestId('fresh-sign-in');
    await expect(fresh).toHaveText('Start a fresh sign-in');
    await fresh.click();
    await page.waitForURL(onPath('/login'));
    await expect(page.getByRole('heading', { name: 'Sign in', exact: true })).toBeVisible();
    await expect(page.getByTestId(`sign-in-${PROVIDER_ID}`)).toBeEnabled();
    await expect(page.getByTestId('auth-error')).toHaveCount(0);
  });

  test('a provider error_description with markup is shown as text, never run', async ({ page }) => {
    const requests = recordRequests(page);
    const dialogs = recordDialogs(page);
    const payload = '<img src=x onerror=alert(1)><script>alert(1)</script>';

    await gotoLogin(page);
    const authorize = await startSignIn(page);
    const state = authorize.searchParams.get('state');
    expect(state).toBeTruthy();

    await page.goto(
      `/callback?error=access_denied&error_description=${encodeURIComponent(payload)}&state=${encodeURIComponent(state!)}`,
    );
    const panel = await expectAuthError(page, 'authorization_error');
    const detail = page.getByTestId('error-detail');
    await expect(detail).toContainText('<script>alert(1)</script>');
    await expect(detail).toContainText('<img src=x onerror=alert(1)>');
    await expect(panel.locator('img')).toHaveCount(0);
    await expect(panel.locator('script')).toHaveCount(0);
    await page.waitForLoadState('networkidle');
    expect(dialogs).toEqual([]);
    // An <img src=x> that had been parsed would have requested /x.
    expect(requests.urls().filter((url) => new URL(url).pathname === '/x')).toEqual([]);
    expect(requests.tokenPosts()).toBe(0);
    expect((await sessionStorageKeys(page)).filter((k) => k.startsWith(TX_PREFIX))).toEqual([]);
  });

  test('reload and history after sign-in never replay the code', async ({ page }) => {
    const requests = recordRequests(page);
    await signIn(page);
    expect(requests.tokenPosts()).toBe(1);

    await page.reload();
    await expectDashboard(page);
    expect(page.url()).toBe(`${APP}/dashboard`);

    // Without a provider session: going back to the provider's page must not sign in anew
    // (that would be a fresh code, not a replayed one).
    await page.context().clearCookies();
    await page.goBack();
    expect(carriesCode(page.url())).toBe(false);
    const back = new URL(page.url());
    expect(back.pathname).not.toBe('/callback');

    await page.goForward();
    expect(carriesCode(page.url())).toBe(false);
    await expectDashboard(page);

    // No history entry holds the code: every step back lands somewhere without it.
    for (let i = 0; i < 3; i += 1) {
      const response = await page.goBack();
      expect(carriesCode(page.url())).toBe(false);
      if (!response) break;
    }
    expect(requests.tokenPosts()).toBe(1);
    // No navigation ever re-visited the callback with a code after the first one.
    const callbackVisits = requests.requests.filter(
      (r) => r.isNavigation && r.url.startsWith(`${APP}/callback`) && carriesCode(r.url),
    );
    expect(callbackVisits).toHaveLength(1);
  });

  test('an unknown path shows "Page not found"', async ({ page }) => {
    await page.goto('/nope');
    await expect(page.getByTestId('not-found')).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  });

  test('a config.json without providers shows the config error', async ({ page }) => {
    await page.route('**/config.json', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: '{"providers": []}' }),
    );
    await page.goto('/login');
    const error = page.getByTestId('config-error');
    await expect(error).toBeVisible();
    await expect(error).toContainText('providers');
    await expect(page.getByTestId('config-error-location')).toContainText('providers');
    await expect(page.getByTestId(`sign-in-${PROVIDER_ID}`)).toHaveCount(0);
  });

  test('a missing config.json (404) is named in the config error', async ({ page }) => {
    await page.route('**/config.json', (route) =>
      route.fulfill({ status: 404, contentType: 'text/plain', body: 'not found' }),
    );
    await page.goto('/');
    await expect(page.getByTestId('config-error')).toBeVisible();
    await expect(page.getByTestId('config-error-location')).toHaveText('/config.json');
    await expect(page.getByTestId('config-error')).toContainText('404');
  });

  test('return_to cannot send the user off-site after sign-in', async ({ page }) => {
    await page.goto('/login?return_to=' + encodeURIComponent('//evil.example/steal'));
    await startSignIn(page);
    await submitSandboxForm(page);
    await expectDashboard(page);
    expect(new URL(page.url()).origin).toBe(APP);
  });
});
