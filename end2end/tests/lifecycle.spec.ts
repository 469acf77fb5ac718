import { expect, test, type Page } from '@playwright/test';
import {
  ADA,
  APP,
  onPath,
  readSharedSession,
  recordRequests,
  sandbox,
  screenshotPath,
  signIn,
  signOut,
  useTokenStorage,
} from './helpers';

test.beforeEach(async () => {
  await sandbox.reset();
});

async function reloadProfile(page: Page) {
  await page.getByTestId('reload-profile').click();
  await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
}

/** Opens a second tab in the same browser context, already signed in through shared storage. */
async function secondTab(page: Page): Promise<Page> {
  const other = await page.context().newPage();
  await other.goto('/dashboard');
  await expect(other.getByTestId('user-name')).toHaveText(ADA.name);
  return other;
}

test.describe('token lifecycle', () => {
  test('a session survives three renewal cycles and keeps loading /users/me', async ({ page }) => {
    // Renewal happens at half of a short lifetime: about every 3 s here.
    await sandbox.settings({ access_token_lifetime: 6 });
    await signIn(page);
    await expect.poll(async () => (await sandbox.stats()).token_refresh, { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    await expect(page.getByTestId('refresh-history').locator('li').first()).toContainText('renewed');
    const before = (await sandbox.stats()).users_me;
    await reloadProfile(page);
    expect((await sandbox.stats()).users_me).toBe(before + 1);
    await expect(page.getByTestId('auth-error')).toHaveCount(0);
    await expect(page.getByTestId('token-expiry')).not.toHaveText('expired');
    await page.screenshot({ path: screenshotPath('dashboard-lifecycle.png'), fullPage: true });
  });

  test('twenty API calls at expiry cause exactly one refresh', async ({ page }) => {
    await page.clock.install();
    await signIn(page);
    const base = await sandbox.stats();
    // Jump past the token's expiry without letting the renewal timer run first.
    await page.clock.setSystemTime(Date.now() + 2 * 3600 * 1000);
    await page.getByTestId('lab-parallel').click();
    await expect(page.getByTestId('lab-result')).toHaveText('20 of 20 finished, 20 succeeded');
    const after = await sandbox.stats();
    expect(after.token_refresh - base.token_refresh).toBe(1);
    expect(after.users_me - base.users_me).toBe(20);
  });

  test('twenty API calls that meet a 401 share one refresh and are each retried once', async ({ page }) => {
    await signIn(page);
    const base = await sandbox.stats();
    await sandbox.expireAccessTokens();
    await page.getByTestId('lab-parallel').click();
    await expect(page.getByTestId('lab-result')).toHaveText('20 of 20 finished, 20 succeeded');
    const after = await sandbox.stats();
    expect(after.token_refresh - base.token_refresh).toBe(1);
    // 20 refused with the old token, 20 retried with the new one.
    expect(after.users_me - base.users_me).toBe(40);
  });

  test('two tabs sharing local storage at expiry make one refresh request and both keep working', async ({ page }) => {
    await useTokenStorage(page.context(), 'local');
    await page.clock.install();
    await signIn(page);
    const other = await secondTab(page);
    await other.clock.install();
    const base = await sandbox.stats();
    const later = Date.now() + 2 * 3600 * 1000;
    await page.clock.setSystemTime(later);
    await other.clock.setSystemTime(later);
    // Both tabs wake up at once (as after a laptop sleep) and find their token due.
    await Promise.all([
      page.evaluate(() => window.dispatchEvent(new Event('focus'))),
      other.evaluate(() => window.dispatchEvent(new Event('focus'))),
    ]);
    await expect.poll(async () => (await sandbox.stats()).token_refresh - base.token_refresh).toBe(1);
    for (const tab of [page, other]) {
      await expect(tab.getByTestId('refresh-history')).toContainText('renewed');
    }
    await expect(other.getByTestId('refresh-history').locator('li').first()).toContainText(/renewed/);
    const [mine, theirs] = [await readSharedSession(page), await readSharedSession(other)];
    expect(mine.tokens.access_token).toBe(theirs.tokens.access_token);
    await reloadProfile(page);
    await reloadProfile(other);
    // Still one: nobody refreshed with a rotated-away token.
    expect((await sandbox.stats()).token_refresh - base.token_refresh).toBe(1);
  });

  test('invalid_grant on refresh signs every tab out with a message, without a loop', async ({ page }) => {
    await useTokenStorage(page.context(), 'local');
    await signIn(page);
    const other = await secondTab(page);
    await sandbox.failNext({ endpoint: 'token_refresh', mode: 'invalid_grant' });
    const base = await sandbox.stats();
    await page.getByTestId('refresh-now').click();
    await page.waitForURL(onPath('/login'));
    await expect(page.getByTestId('login-notice')).toHaveText('Your session has ended. Please sign in again.');
    await other.waitForURL(onPath('/login'));
    await expect(other.getByTestId('login-notice')).toHaveText('You were signed out in another tab.');
    expect(await readSharedSession(page)).toBeNull();
    await page.waitForTimeout(1_500);
    expect((await sandbox.stats()).token_refresh - base.token_refresh).toBe(1);
    await expect(page).toHaveURL(/\/login/);
    await expect(other).toHaveURL(/\/login/);
  });

  test('a network drop during refresh keeps the session and retries', async ({ page }) => {
    await signIn(page);
    const requests = recordRequests(page);
    await page.route('**/oauth/token', (route) => route.abort('internetdisconnected'), { times: 1 });
    await page.getByTestId('refresh-now').click();
    await expect(page.getByTestId('refresh-history').locator('li').first()).toContainText('failed (network), will retry');
    await expect(page).toHaveURL(/\/dashboard/);
    await reloadProfile(page);
    // The backoff retry (about 5 s later) goes through.
    await expect(page.getByTestId('refresh-history').locator('li').first()).toContainText('renewed', { timeout: 15_000 });
    expect(requests.tokenPosts()).toBe(2);
  });

  test('sign-out in one tab signs out the other', async ({ page }) => {
    await useTokenStorage(page.context(), 'local');
    await signIn(page);
    const other = await secondTab(page);
    await signOut(page);
    await other.waitForURL(onPath('/login'));
    await expect(other.getByTestId('login-notice')).toHaveText('You were signed out in another tab.');
    expect(await readSharedSession(other)).toBeNull();
  });

  test('a 401 refreshes once and retries; a 403 is a permission problem, not a refresh', async ({ page }) => {
    await signIn(page);
    let base = await sandbox.stats();
    await sandbox.failNext({ endpoint: 'users_me', mode: 'unauthorized' });
    await reloadProfile(page);
    let after = await sandbox.stats();
    expect(after.token_refresh - base.token_refresh).toBe(1);
    expect(after.users_me - base.users_me).toBe(2);

    base = after;
    await sandbox.failNext({ endpoint: 'users_me', mode: 'forbidden' });
    await page.getByTestId('reload-profile').click();
    await expect(page.getByTestId('auth-error')).toHaveAttribute('data-error-code', 'forbidden');
    after = await sandbox.stats();
    expect(after.token_refresh - base.token_refresh).toBe(0);
    await expect(page).toHaveURL(/\/dashboard/);
  });

  test('a second 401 sends the agent to sign in and back to the same page', async ({ page }) => {
    await signIn(page);
    await sandbox.failNext({ endpoint: 'users_me', mode: 'unauthorized', count: 2 });
    await page.getByTestId('reload-profile').click();
    await page.waitForURL(onPath('/login'));
    expect(new URL(page.url()).searchParams.get('return_to')).toBe('/dashboard');
    await expect(page.getByTestId('login-notice')).toContainText('sign in again');
    await signIn(page);
  });

  test('a 429 waits for Retry-After and tries again', async ({ page }) => {
    await signIn(page);
    const base = await sandbox.stats();
    await sandbox.failNext({ endpoint: 'users_me', mode: 'rate_limited', retry_after: 1 });
    const started = Date.now();
    await reloadProfile(page);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    const after = await sandbox.stats();
    expect(after.users_me - base.users_me).toBe(2);
    expect(after.token_refresh - base.token_refresh).toBe(0);
  });

  test('a refresh response without a new refresh token keeps the old one', async ({ page }) => {
    await signIn(page);
    await sandbox.settings({ rotate_refresh_tokens: false });
    const history = page.getByTestId('refresh-history').locator('li');
    await page.getByTestId('refresh-now').click();
    await expect(history).toHaveCount(1);
    await page.getByTestId('refresh-now').click();
    await expect(history).toHaveCount(2);
    await expect(history.nth(0)).toHaveText(/renewed$/);
    await expect(history.nth(1)).toHaveText(/renewed$/);
    await reloadProfile(page);
  });

  test('with memory storage a reload means signing in again, and the login page says so', async ({ page }) => {
    await useTokenStorage(page.context(), 'memory');
    await signIn(page);
    expect(await page.evaluate(() => Object.keys(window.sessionStorage).filter((k) => k.includes('session')))).toEqual([]);
    await page.reload();
    await page.waitForURL(onPath('/login'));
    await expect(page.getByTestId('memory-storage-hint')).toBeVisible();
  });
});
