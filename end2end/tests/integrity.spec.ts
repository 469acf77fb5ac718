import { expect, test, type Page } from '@playwright/test';
import {
  ADA,
  APP,
  SANDBOX,
  SESSION_KEY,
  TX_PREFIX,
  expectAuthError,
  expectDashboard,
  onPath,
  readSharedSession,
  recordRequests,
  sandbox,
  signIn,
  signOut,
  startSignIn,
  storageKeys,
  submitSandboxForm,
  useTokenStorage,
  expectLiveReady,
} from './helpers';

/**
 * Session integrity: every await in the auth store is a point where a sign-out, another tab,
 * a sleep or a late response can arrive. Each test here drives one such interleaving for real
 * (the sandbox holds a response, a second tab acts meanwhile) and checks the outcome a user
 * and the provider see.
 */

const GRACE = { username: 'grace@example.com', password: 'demo', name: 'Grace Hopper' };

/** Refresh tokens alive at the sandbox when the test started (other tests leave some). */
let liveAtStart = 0;

test.beforeEach(async () => {
  await sandbox.reset();
  await sandbox.settings({ refresh_tokens: 'rotate' });
  liveAtStart = (await sandbox.stats()).live_refresh_tokens;
});

/**
 * The refresh token in the next token response `tab` receives (even one the app then drops):
 * the request passes through the test, which keeps a copy of the body.
 */
async function nextIssuedRefreshToken(tab: Page): Promise<{ token: Promise<string> }> {
  let issued: (token: string) => void = () => {};
  const token = new Promise<string>((resolve) => (issued = resolve));
  await tab.route(
    `${SANDBOX}/oauth/token`,
    async (route) => {
      const response = await route.fetch();
      const body = await response.text();
      issued(JSON.parse(body).refresh_token);
      await route.fulfill({ response, body }).catch(() => {});
    },
    { times: 1 },
  );
  // Wrapped: an async function returning a bare promise would wait for it.
  return { token };
}

/** A second tab of the same browser, on the dashboard through the shared session. */
async function secondTab(page: Page, name = ADA.name): Promise<Page> {
  const other = await page.context().newPage();
  await other.goto('/dashboard');
  await expect(other.getByTestId('user-name')).toHaveText(name);
  await expectLiveReady(other);
  return other;
}

/** The sandbox renews at once (a new refresh token is live) but holds the answer for `ms`. */
async function holdNextRefresh(ms: number) {
  await sandbox.failNext({ endpoint: 'token_refresh', mode: 'hold_response', delay_ms: ms });
}

/** Waits until the sandbox has received `n` more refresh requests than `base`. */
async function refreshReceived(base: number, n = 1) {
  await expect.poll(async () => (await sandbox.stats()).token_refresh - base).toBe(n);
}

/** Signed out for good: a fresh load of the dashboard goes to the login page, nothing stored. */
async function expectSignedOutAfterReload(tab: Page) {
  // Straight to the login page: a session restored from storage would call the API first
  // (and might only then find its tokens revoked).
  const requests = recordRequests(tab);
  await tab.goto('/dashboard');
  await tab.waitForURL(onPath('/login'));
  await expect(tab.getByRole('heading', { name: 'Sign in', exact: true })).toBeVisible();
  const keys = await storageKeys(tab);
  expect(keys.local).toEqual([]);
  expect(keys.session.filter((k) => k === SESSION_KEY || k.startsWith(TX_PREFIX))).toEqual([]);
  expect(requests.requests.filter((r) => r.url.startsWith(SANDBOX))).toEqual([]);
}

test.describe('a sign-out is final', () => {
  test('a refresh held by the provider when Sign out is clicked does not bring the session back', async ({ page }) => {
    await useTokenStorage(page.context(), 'local');
    await signIn(page);
    const other = await secondTab(page);
    const base = await sandbox.stats();
    await holdNextRefresh(3_000);
    const { token: late } = await nextIssuedRefreshToken(page);
    // As after a laptop wakes: a due refresh is on its way when the agent clicks Sign out.
    await page.getByTestId('refresh-now').click();
    await refreshReceived(base.token_refresh);
    const requests = recordRequests(page);
    const otherRequests = recordRequests(other);
    await signOut(page);
    await expect(page.getByTestId('login-notice')).toHaveText('You have signed out.');
    await other.waitForURL(onPath('/login'));

    for (const tab of [page, other]) await expectSignedOutAfterReload(tab);
    // The late response's tokens were revoked, not kept: nothing issued is still alive.
    const after = await sandbox.stats();
    expect(after.token_refresh - base.token_refresh).toBe(1);
    expect(await sandbox.tokenStatus(await late)).toBe('revoked');
    expect(after.live_refresh_tokens).toBe(liveAtStart);
    // After the click, nothing but revocation and the provider's logout went out.
    expect(requests.count('POST', '/oauth/token')).toBe(0);
    expect(requests.requests.filter((r) => r.url.includes('/api/v2/') && r.method !== 'DELETE')).toEqual([]);
    expect(otherRequests.requests.filter((r) => r.url.startsWith(SANDBOX) && r.method !== 'OPTIONS')).toEqual([]);
  });

  test('a refresh held in another tab while this one signs out is dropped and revoked', async ({ page }) => {
    await useTokenStorage(page.context(), 'local');
    await signIn(page);
    const other = await secondTab(page);
    const base = await sandbox.stats();
    await holdNextRefresh(3_000);
    const { token: late } = await nextIssuedRefreshToken(other);
    await other.getByTestId('refresh-now').click();
    await refreshReceived(base.token_refresh);
    const otherRequests = recordRequests(other);
    await signOut(page);
    await other.waitForURL(onPath('/login'));
    // Let the held response arrive and be dealt with, then look again from fresh loads.
    expect(await sandbox.tokenStatus(await late)).toBe('revoked');
    await expect.poll(async () => (await sandbox.stats()).live_refresh_tokens).toBe(liveAtStart);
    for (const tab of [page, other]) await expectSignedOutAfterReload(tab);
    expect(await readSharedSession(page)).toBeNull();
    // The tab whose refresh came back late sent nothing more than the revocation of what it
    // got: no API call, no renewal.
    const sent = otherRequests.requests.filter((r) => r.url.startsWith(SANDBOX) && r.method !== 'OPTIONS');
    expect(sent.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual(['DELETE /api/v2/tokens/me']);
  });
});

test.describe('another tab signing in', () => {
  test('as someone else is a new sign-in in every tab, and the replaced session is revoked', async ({ page }) => {
    await useTokenStorage(page.context(), 'local');
    // Tab B opens the provider's sign-in page first (its transaction is its own)...
    const tabB = await page.context().newPage();
    await tabB.goto('/login');
    await startSignIn(tabB);
    // ...tab A signs in as Ada meanwhile...
    await signIn(page);
    await expect(page.getByTestId('queue-item')).toHaveCount(3);
    const ada = await readSharedSession(page);
    // ...then tab B finishes its sign-in as Grace.
    await submitSandboxForm(tabB, GRACE);
    await expectDashboard(tabB, GRACE.name);

    // Tab A follows without a reload: Grace's name, Grace's queues, Grace's token.
    await expect(page.getByTestId('user-name')).toHaveText(GRACE.name);
    await expect(page.getByTestId('queue-item')).toHaveCount(2);
    const grace = await readSharedSession(page);
    expect(grace.session_id).not.toBe(ada.session_id);
    // Ada's sign-in is over at the provider too: only Grace's refresh token is alive.
    expect(await sandbox.tokenStatus(ada.tokens.refresh_token)).toBe('revoked');
    expect(await sandbox.tokenStatus(grace.tokens.refresh_token)).toBe('live');
    await page.getByTestId('refresh-now').click();
    await expect(page.getByTestId('refresh-history').locator('li').first()).toContainText('renewed');
    await expect(page.getByTestId('user-name')).toHaveText(GRACE.name);
  });
});

test.describe('return_to', () => {
  test('a stored return_to pointing back at the callback is checked again where it is used', async ({ page }) => {
    await page.goto('/login');
    await startSignIn(page);
    // Back on the app (same tab, same sessionStorage), the transaction is tampered with.
    await page.goBack();
    await page.waitForURL(onPath('/login'));
    const tampered = await page.evaluate((prefix) => {
      const key = Object.keys(sessionStorage).find((k) => k.startsWith(prefix))!;
      const tx = JSON.parse(sessionStorage.getItem(key)!);
      tx.return_to = '/callback/?code=replayed';
      sessionStorage.setItem(key, JSON.stringify(tx));
      return key;
    }, TX_PREFIX);
    expect(tampered).toBeTruthy();
    await page.goForward();
    await submitSandboxForm(page);
    await expectDashboard(page);
    await page.waitForTimeout(500);
    await expect(page).toHaveURL(`${APP}/dashboard`);
  });
});

test.describe('reconnecting', () => {
  test('coming back online retries a failed refresh at once, not when the backoff ends', async ({ page }) => {
    await signIn(page);
    const requests = recordRequests(page);
    await page.route('**/oauth/token', (route) => route.abort('internetdisconnected'), { times: 1 });
    await page.evaluate(() => window.dispatchEvent(new Event('offline')));
    await page.getByTestId('refresh-now').click();
    const latest = page.getByTestId('refresh-history').locator('li').first();
    await expect(latest).toContainText('failed (network), will retry');
    // The backoff would wait at least 5 s; back online, the retry goes now.
    await page.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect(latest).toContainText('renewed', { timeout: 3_000 });
    expect(requests.tokenPosts()).toBe(2);
  });
});

test.describe('sign-out leaves nothing behind', () => {
  test('Genesys: an abandoned transaction and the session are gone; revocation after a sleep renews first', async ({
    page,
  }) => {
    await page.clock.install();
    // An abandoned sign-in (its transaction holds a verifier), then a real one.
    await page.goto('/login');
    await startSignIn(page);
    await page.goBack();
    await page.waitForURL(onPath('/login'));
    await signIn(page);
    const signedIn = await storageKeys(page);
    expect(signedIn.session.filter((k) => k.startsWith(TX_PREFIX))).toHaveLength(1);
    expect(signedIn.session).toContain(SESSION_KEY);

    // The laptop sleeps past the token's life: the provider no longer takes the access token.
    await sandbox.expireAccessTokens();
    await page.clock.setSystemTime(Date.now() + 2 * 3600 * 1000);
    const base = await sandbox.stats();
    await signOut(page);
    await expect(page.getByTestId('login-notice')).toHaveText('You have signed out.');
    const after = await sandbox.stats();
    // Renewed, then revoked with the fresh token: the sign-in is over at the provider.
    expect(after.token_refresh - base.token_refresh).toBe(1);
    expect(after.revoked_refresh_tokens - base.revoked_refresh_tokens).toBe(1);
    expect(after.live_refresh_tokens).toBe(liveAtStart);
    const keys = await storageKeys(page);
    expect(keys.session.filter((k) => k.startsWith('pkce-desk.'))).toEqual([]);
    expect(keys.local).toEqual([]);
  });
});
