import { expect, test, type Page } from '@playwright/test';
import {
  ADA,
  APP,
  SANDBOX,
  TX_PREFIX,
  expectAuthError,
  onPath,
  readSession,
  recordRequests,
  sandbox,
  screenshotPath,
  sessionStorageKeys,
  signIn,
  signOut,
  startSignIn,
  storageKeys,
  submitSandboxForm,
  useTokenStorage,
} from './helpers';

test.beforeEach(async () => {
  await sandbox.reset();
});

/** Nothing half-stored: no session and no login transaction left behind. */
async function expectNothingStored(page: Page) {
  expect(await readSession(page)).toBeNull();
  expect((await sessionStorageKeys(page)).filter((k) => k.startsWith(TX_PREFIX) || k === 'pkce-desk.session')).toEqual([]);
  expect(await page.evaluate(() => Object.keys(window.localStorage))).toEqual([]);
}

/** Runs a sign-in that the sandbox answers with a failure at the token endpoint. */
async function signInWithTokenFailure(page: Page, mode: string, extra: Record<string, unknown> = {}) {
  await sandbox.failNext({ endpoint: 'token_code', mode, ...extra });
  await page.goto('/login');
  await startSignIn(page);
  await submitSandboxForm(page);
}

test.describe('failure screens: what happened, why, what to do', () => {
  const authorizeErrors: Array<[string, 'configuration' | 'retry']> = [
    ['invalid_request', 'configuration'],
    ['unauthorized_client', 'configuration'],
    ['invalid_scope', 'configuration'],
    ['unsupported_response_type', 'configuration'],
    ['server_error', 'retry'],
    ['temporarily_unavailable', 'retry'],
    ['login_required', 'retry'],
  ];
  for (const [error, kind] of authorizeErrors) {
    test(`authorize error ${error} is a ${kind} message`, async ({ page }) => {
      const requests = recordRequests(page);
      await sandbox.failNext({ endpoint: 'authorize', mode: 'redirect_error', error });
      await page.goto('/login');
      await page.getByTestId('sign-in-sandbox-genesys').click();
      const panel = await expectAuthError(page, 'authorization_error');
      await expect(panel.getByTestId('error-detail')).toContainText(error);
      const heading = panel.getByRole('heading', { level: 2 });
      await expect(heading).toHaveText(kind === 'configuration' ? 'For your administrator' : 'What to do');
      if (kind === 'configuration') {
        await expect(panel.getByTestId('error-remedy')).toContainText('Admin > Integrations > OAuth');
      }
      await expect(panel.getByTestId('fresh-sign-in')).toBeVisible();
      expect(requests.tokenPosts()).toBe(0);
      await expectNothingStored(page);
      if (error === 'invalid_scope') await page.screenshot({ path: screenshotPath('error-configuration.png'), fullPage: true });
    });
  }

  test('token endpoint answering an HTML 502', async ({ page }) => {
    await signInWithTokenFailure(page, 'html_502');
    const panel = await expectAuthError(page, 'unexpected_response');
    await expect(panel.getByTestId('error-detail')).toContainText('HTTP 502');
    await expect(panel.getByTestId('error-detail')).toContainText('text/html');
    await expectNothingStored(page);
    await page.screenshot({ path: screenshotPath('error-html-502.png'), fullPage: true });
  });

  test('token endpoint answering malformed JSON, or the wrong content type', async ({ page }) => {
    await signInWithTokenFailure(page, 'malformed_json');
    await expectAuthError(page, 'malformed_response');
    await expectNothingStored(page);
    await signInWithTokenFailure(page, 'wrong_content_type');
    await expectAuthError(page, 'unexpected_response');
    await expectNothingStored(page);
  });

  test('an oversized token response is discarded', async ({ page }) => {
    await signInWithTokenFailure(page, 'oversized');
    await expectAuthError(page, 'response_too_large');
    await expectNothingStored(page);
  });

  test('a chunked or compressed oversized response is cut off at the cap', async ({ page }) => {
    // A body that never ends: only a client that counts while reading answers before its
    // 20 s timeout (one that reads whole first would say "network" much later).
    await signInWithTokenFailure(page, 'endless_chunked');
    await expectAuthError(page, 'response_too_large');
    await expectNothingStored(page);
    await signInWithTokenFailure(page, 'oversized_gzip');
    await expectAuthError(page, 'response_too_large');
    await expectNothingStored(page);
  });

  test('invalid_grant at the exchange offers a fresh sign-in; invalid_client names the setting', async ({ page }) => {
    await signInWithTokenFailure(page, 'invalid_grant');
    let panel = await expectAuthError(page, 'token_rejected');
    await expect(panel.getByRole('heading', { level: 2 })).toHaveText('What to do');
    await expectNothingStored(page);
    await signInWithTokenFailure(page, 'invalid_client');
    panel = await expectAuthError(page, 'token_rejected');
    await expect(panel.getByRole('heading', { level: 2 })).toHaveText('For your administrator');
    await expect(panel.getByTestId('error-remedy')).toContainText('client_id');
    await panel.getByTestId('fresh-sign-in').click();
    await page.waitForURL(onPath('/login'));
    await expect(page.getByTestId('auth-error')).toHaveCount(0);
  });

  test('the network going down during the exchange', async ({ page }) => {
    await page.goto('/login');
    await startSignIn(page);
    await page.route(`${SANDBOX}/oauth/token`, (route) => route.abort('internetdisconnected'));
    await submitSandboxForm(page);
    const panel = await expectAuthError(page, 'network');
    await expect(panel.getByTestId('error-title')).toHaveText('Cannot reach the sign-in service');
    await expectNothingStored(page);
  });

  test('a redirect URI the provider does not know stops at the provider, naming the problem', async ({ page }) => {
    const requests = recordRequests(page);
    await page.route('**/config.json', async (route) => {
      const response = await route.fetch();
      const config = await response.json();
      config.providers[0].redirect_uri = `${APP}/not-registered`;
      await route.fulfill({ response, json: config });
    });
    await page.goto('/login');
    await page.getByTestId('sign-in-sandbox-genesys').click();
    await page.waitForURL((url) => url.origin === SANDBOX);
    await expect(page.locator('body')).toContainText('redirect_uri');
    expect(requests.tokenPosts()).toBe(0);
  });
});

test.describe('callback robustness', () => {
  test('double-click on Sign in starts one login only', async ({ page }) => {
    const requests = recordRequests(page);
    await page.goto('/login');
    await page.getByTestId('sign-in-sandbox-genesys').dblclick();
    await page.waitForURL((url) => url.origin === SANDBOX && url.pathname === '/oauth/authorize');
    expect(requests.requests.filter((r) => r.isNavigation && r.url.startsWith(`${SANDBOX}/oauth/authorize`)).length).toBe(1);
    await submitSandboxForm(page);
    await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
    expect(requests.tokenPosts()).toBe(1);
    expect((await sessionStorageKeys(page)).filter((k) => k.startsWith(TX_PREFIX))).toEqual([]);
  });

  test('a login transaction older than 10 minutes is refused, with a fresh sign-in and no loop', async ({ page }) => {
    const requests = recordRequests(page);
    await page.clock.install();
    await page.goto('/login');
    await startSignIn(page);
    // The agent walked away from the provider's page for 11 minutes.
    await page.clock.setSystemTime(Date.now() + 11 * 60 * 1000);
    await submitSandboxForm(page);
    const panel = await expectAuthError(page, 'transaction_expired');
    await expect(panel.getByTestId('fresh-sign-in')).toBeVisible();
    expect(requests.tokenPosts()).toBe(0);
    await expectNothingStored(page);
    await page.waitForTimeout(1_000);
    await expect(page).toHaveURL(/\/callback$/);
  });

  test('a callback loaded twice in one tab exchanges once: the transaction is gone before the exchange', async ({
    page,
  }) => {
    let callbackUrl = '';
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.url().startsWith(`${APP}/callback?`)) callbackUrl = request.url();
    });
    // The exchange is held at the provider, so the second load comes while the first is in flight.
    await sandbox.failNext({ endpoint: 'token_code', mode: 'delay', delay_ms: 2_000 });
    await page.goto('/login');
    await startSignIn(page);
    await submitSandboxForm(page);
    await expect.poll(async () => (await sandbox.stats()).token_authorization_code).toBe(1);
    expect(callbackUrl).toContain('code=');
    // Single use: while its code is being exchanged, the transaction is already out of storage.
    expect((await sessionStorageKeys(page)).filter((k) => k.startsWith(TX_PREFIX))).toEqual([]);
    // The same tab (same sessionStorage) mounts the callback again with the same code.
    await page.goto(callbackUrl);
    await expectAuthError(page, 'unknown_transaction');
    await page.waitForTimeout(2_500);
    expect((await sandbox.stats()).token_authorization_code).toBe(1);
  });

  test('back and reload with the real callback URL after success never exchange again', async ({ page }) => {
    const requests = recordRequests(page);
    let callbackUrl = '';
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.url().startsWith(`${APP}/callback?`)) callbackUrl = request.url();
    });
    await signIn(page);
    expect(callbackUrl).toContain('code=');
    // Back: the callback's history entry lost its code before any await. (Without a provider
    // session, so that the provider's page stays put instead of signing in again.)
    await page.context().clearCookies();
    await page.goBack();
    await page.waitForLoadState();
    expect(page.url()).not.toContain('code=');
    await page.goForward();
    // The URL with the code, loaded again (a reload of the address the provider sent).
    await page.goto(callbackUrl);
    await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
    await page.waitForTimeout(1_000);
    expect(requests.tokenPosts()).toBe(1);
    expect((await sandbox.stats()).token_authorization_code).toBe(1);
    expect(await page.evaluate(() => window.history.length)).toBeGreaterThan(1);
  });
});

test.describe('secrets and storage', () => {
  test('no token or code in any URL, Referer or console message; storage holds only the session', async ({ page }) => {
    const requests = recordRequests(page);
    const referers: string[] = [];
    const consoleText: string[] = [];
    page.on('request', (request) => {
      const referer = request.headers()['referer'];
      if (referer) referers.push(`${request.url()} <- ${referer}`);
    });
    page.on('console', (message) => consoleText.push(message.text()));
    page.on('pageerror', (error) => consoleText.push(error.message));
    let code = '';
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/callback' && url.searchParams.get('code')) code = url.searchParams.get('code')!;
    });

    await signIn(page);
    await page.getByTestId('refresh-now').click();
    await expect(page.getByTestId('refresh-history').locator('li').first()).toContainText('renewed');
    const session = await readSession(page);
    const secrets = [session.tokens.access_token, session.tokens.refresh_token];
    expect(secrets.every((s: string) => typeof s === 'string' && s.length > 10)).toBe(true);

    // Storage audit after sign-in: the session and nothing else of value.
    expect((await sessionStorageKeys(page)).sort()).toEqual(['pkce-desk.session']);
    expect(await page.evaluate(() => Object.keys(window.localStorage))).toEqual([]);
    expect(await page.evaluate(() => document.cookie)).toBe('');

    for (const url of requests.urls()) {
      for (const secret of secrets) expect(url).not.toContain(secret);
      if (!url.startsWith(`${APP}/callback?`)) expect(url).not.toContain(code);
    }
    for (const text of consoleText) for (const secret of [...secrets, code]) expect(text).not.toContain(secret);
    expect(referers).toEqual([]);
    // The history entry of the callback no longer has the code.
    expect(await page.evaluate(() => window.location.href)).not.toContain('code=');

    await signOut(page);
    await expect(page.getByTestId('login-notice')).toHaveText('You have signed out.');
    // Storage audit after sign-out: every key the app owns is gone (the notice was shown).
    expect(await storageKeys(page)).toEqual({ session: [], local: [] });
  });

  test('sign-out clears everything even when revocation fails', async ({ page }) => {
    await signIn(page);
    await sandbox.failNext({ endpoint: 'revoke', mode: 'html_502' });
    const before = await sandbox.stats();
    await signOut(page);
    await expect(page.getByTestId('login-notice')).toHaveText('You have signed out.');
    expect((await sandbox.stats()).revoke).toBe(before.revoke + 1);
    expect(await readSession(page)).toBeNull();
    await page.goto('/dashboard');
    await page.waitForURL(onPath('/login'));
  });

  test('the callback page talks only to the app and the provider', async ({ page }) => {
    const origins = new Set<string>();
    let onCallback = false;
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.url().startsWith(`${APP}/callback`)) onCallback = true;
      if (onCallback) origins.add(new URL(request.url()).origin);
    });
    await signIn(page);
    expect([...origins].sort()).toEqual([APP, SANDBOX].sort());
  });
});

test.describe('clocks, sleep and lost responses', () => {
  for (const [label, skew] of [['ahead', 2], ['behind', -2]] as const) {
    test(`a local clock 2 h ${label} still signs in and plans renewal from local time`, async ({ page }) => {
      await page.clock.install({ time: Date.now() + skew * 3600 * 1000 });
      await page.clock.resume();
      await signIn(page);
      await expect(page.getByTestId('token-expiry')).toHaveText(/^(59 min|1 h 00 min)/);
      await page.getByTestId('reload-profile').click();
      await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
    });
  }

  test('after sleep, no API call goes out with an expired token', async ({ page }) => {
    await page.clock.install();
    await signIn(page);
    const requests = recordRequests(page);
    // Two hours of sleep: the provider has forgotten the token, and the local clock knows.
    await sandbox.expireAccessTokens();
    const base = await sandbox.stats();
    await page.clock.setSystemTime(Date.now() + 2 * 3600 * 1000);
    // The agent's first act after waking is a click, before any wake-up event: the API helper
    // itself must renew first. (Wake-up events are covered in lifecycle.spec.ts.)
    await page.getByTestId('reload-profile').click();
    await page.getByTestId('reload-queues').click();
    await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
    await expect(page.getByTestId('queue-item')).toHaveCount(3);
    const after = await sandbox.stats();
    // Every API call after the wake-up carried the renewed token: the provider refused none.
    expect(after.api_rejected_401 - base.api_rejected_401).toBe(0);
    expect(after.token_refresh - base.token_refresh).toBe(1);
    const calls = requests.requests.filter((r) => r.method !== 'OPTIONS' && r.url.startsWith(SANDBOX));
    const firstRefresh = calls.findIndex((r) => r.url.startsWith(`${SANDBOX}/oauth/token`));
    expect(firstRefresh).toBeGreaterThanOrEqual(0);
    expect(calls.slice(0, firstRefresh).filter((r) => r.url.includes('/api/v2/'))).toEqual([]);
    expect(calls.filter((r) => r.url.includes('/api/v2/')).length).toBeGreaterThanOrEqual(2);
  });

  test('a lost rotation response ends the session cleanly, once, without a loop', async ({ page }) => {
    await signIn(page);
    // The server rotates the refresh token, but the answer never reaches the browser.
    await page.route(`${SANDBOX}/oauth/token`, async (route) => {
      await route.fetch();
      await route.abort('connectionreset');
    }, { times: 1 });
    const before = await sandbox.stats();
    await page.getByTestId('refresh-now').click();
    await expect(page.getByTestId('refresh-history').locator('li').first()).toContainText('will retry');
    // The retry presents the rotated-away token: reuse detection ends the session.
    await page.waitForURL(onPath('/login'), { timeout: 20_000 });
    await expect(page.getByTestId('login-notice')).toContainText('sign in again');
    await page.waitForTimeout(1_000);
    expect((await sandbox.stats()).token_refresh - before.token_refresh).toBe(2);
  });

  test('a tab that closes while holding the refresh lock does not block the other', async ({ page, context }) => {
    await useTokenStorage(context, 'local');
    await signIn(page);
    const other = await context.newPage();
    await other.goto('/dashboard');
    await expect(other.getByTestId('user-name')).toHaveText(ADA.name);
    const base = await sandbox.stats();
    // This tab's refresh hangs in the browser while it holds the lock.
    await page.route(`${SANDBOX}/oauth/token`, () => new Promise<void>(() => {}));
    await page.getByTestId('refresh-now').click();
    await expect
      .poll(() => other.evaluate(async () => (await navigator.locks.query()).held?.map((l) => l.name)))
      .toEqual(['pkce-desk.refresh']);
    await page.close();
    // The browser releases the closed tab's lock: the other tab's refresh runs to an end.
    await other.getByTestId('refresh-now').click();
    const history = other.getByTestId('refresh-history').locator('li').first();
    await expect
      .poll(async () => other.url().includes('/login') || ((await history.count()) > 0 && (await history.innerText()).includes('renewed')), {
        timeout: 10_000,
      })
      .toBe(true);
    // Released once the other tab is done (it lingers briefly for the storage to settle).
    await expect.poll(() => other.evaluate(async () => (await navigator.locks.query()).held?.length)).toBe(0);
    const seen = (await sandbox.stats()).token_refresh - base.token_refresh;
    if (other.url().includes('/login')) {
      // The closing tab's request still reached the server and rotated the refresh token, so
      // the other tab's was a reuse: the provider ended the session, cleanly, with a message.
      expect(seen).toBe(2);
      await expect(other.getByTestId('login-notice')).toHaveText('Your session has ended. Please sign in again.');
    } else {
      await other.getByTestId('reload-profile').click();
      await expect(other.getByTestId('user-name')).toHaveText(ADA.name);
    }
  });
});
