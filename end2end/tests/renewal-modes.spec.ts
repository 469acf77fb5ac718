import { expect, test } from '@playwright/test';
import { ADA, expectDashboard, onPath, recordRequests, sandbox, screenshotPath, signIn } from './helpers';

/**
 * Genesys Cloud most likely gives a PKCE client no refresh token, and refuses the refresh grant
 * to public clients (PROVIDERS.md). The sandbox's Genesys flavor does either, per test: `none`
 * (its default) or `rotate` (what the rest of the suite runs with).
 */

test.beforeEach(async () => {
  await sandbox.reset();
});

test.describe('without refresh tokens (Genesys default)', () => {
  test.beforeEach(async () => {
    await sandbox.settings({ refresh_tokens: 'none', access_token_lifetime: 60 });
  });

  test('Continue session, offered before the end, renews through the provider session without a password', async ({
    page,
  }) => {
    await page.clock.install();
    await signIn(page);
    await expect(page.getByTestId('token-renewal')).toContainText('Continue session is offered');
    await expect(page.getByTestId('refresh-now')).toHaveCount(0);
    const offer = page.getByTestId('continue-session-offer');
    await expect(offer).toHaveCount(0);
    // A 60 s token: the offer comes in its last quarter.
    await page.clock.fastForward(46_000);
    await expect(offer).toBeVisible();
    await expect(offer).toContainText('Your session ends at');
    await page.screenshot({ path: screenshotPath('dashboard-continue-session.png'), fullPage: true });

    const before = await sandbox.stats();
    const requests = recordRequests(page);
    await page.getByTestId('continue-session').click();
    await expectDashboard(page);
    const after = await sandbox.stats();
    // A top-level trip through the authorize page, completed by the SSO session: no form.
    expect(after.authorize_silent - before.authorize_silent).toBe(1);
    expect(after.authorize_submit - before.authorize_submit).toBe(0);
    expect(after.token_authorization_code - before.token_authorization_code).toBe(1);
    expect(requests.requests.filter((r) => r.isNavigation && r.url.includes('/oauth/authorize?')).length).toBe(1);
    await expect(page.getByTestId('continue-session-offer')).toHaveCount(0);
    await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
  });

  test('ignored, the offer ends in a sign-out with a clear notice when the token expires', async ({ page }) => {
    await page.clock.install();
    await signIn(page);
    await page.clock.fastForward(46_000);
    await expect(page.getByTestId('continue-session-offer')).toBeVisible();
    const before = await sandbox.stats();
    await page.clock.fastForward(15_000);
    await page.waitForURL(onPath('/login'));
    await expect(page.getByTestId('login-notice')).toContainText('cannot renew it');
    // Nothing was tried at the token endpoint: there was nothing to renew with.
    expect((await sandbox.stats()).token_refresh - before.token_refresh).toBe(0);
  });
});

test.describe('with refresh tokens', () => {
  test('a refresh the provider refuses for this client keeps the session until its token expires', async ({ page }) => {
    await sandbox.settings({ refresh_tokens: 'rotate' });
    await signIn(page);
    await expect(page.getByTestId('token-renewal')).toContainText('automatic');
    // What Genesys answers a public client's refresh grant.
    await sandbox.failNext({ endpoint: 'token_refresh', mode: 'invalid_client' });
    await page.getByTestId('refresh-now').click();
    await expect(page.getByTestId('refresh-history').locator('li').first()).toContainText('refused by the provider');
    await expect(page).toHaveURL(/\/dashboard$/);
    await expect(page.getByTestId('token-renewal')).toContainText('Continue session is offered');
    await expect(page.getByTestId('refresh-now')).toHaveCount(0);
    await page.getByTestId('reload-profile').click();
    await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
  });
});
