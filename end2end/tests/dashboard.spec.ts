import { expect, test } from '@playwright/test';
import {
  ADA,
  APP,
  expectDashboard,
  gotoLogin,
  recordRequests,
  sandbox,
  signIn,
  signOut,
  startSignIn,
  submitSandboxForm,
} from './helpers';

/**
 * The agent-desktop shell: the banner (agent, presence, organization, provider, region), the
 * marked content area, and its worked example, "My queues" (a typed API call through the auth
 * store's helper).
 */

const QUEUES_PATH = '/api/v2/routing/queues/me';

test.beforeEach(async () => {
  await sandbox.reset();
});

test.describe('agent-desktop shell', () => {
  test('the banner shows the agent, their presence and routing status, the organization, provider and region', async ({
    page,
  }) => {
    await signIn(page);
    const banner = page.getByRole('banner');
    await expect(banner.getByTestId('user-name')).toHaveText(ADA.name);
    await expect(banner.getByText('AL', { exact: true })).toBeVisible();
    // Presence is text, not only a colour.
    await expect(banner.getByTestId('user-presence')).toHaveText('Available');
    await expect(banner.getByTestId('presence-chip')).toHaveAttribute('data-tone', 'available');
    await expect(banner.getByTestId('user-routing-status')).toHaveText('Off queue');
    await expect(banner.getByTestId('user-organization')).toHaveText('Sandbox Contact Center');
    await expect(banner.getByTestId('provider-label')).toHaveText('Genesys Cloud (sandbox)');
    await expect(banner.getByTestId('provider-region')).toHaveText('mypurecloud.com (us_east_1)');
    await expect(banner.getByRole('button', { name: 'Sign out' })).toBeVisible();
    // Landmarks: one banner, one main with the page heading, and the marked content area.
    await expect(page.getByRole('main')).toHaveCount(1);
    await expect(page.getByRole('main').getByRole('heading', { level: 1 })).toHaveText('Agent desktop');
    await expect(page.getByRole('region', { name: 'Workspace' })).toHaveAttribute('data-testid', 'content-area');
  });

  test('the profile asks for presence and routing status', async ({ page }) => {
    const requests = recordRequests(page);
    await signIn(page);
    const me = requests.matching('GET', '/api/v2/users/me');
    expect(me).toHaveLength(1);
    // One expand= per value, as Genesys' SDK sends it (collection format multi).
    const expand = new URL(me[0].url).searchParams.getAll('expand');
    expect(expand).toEqual(['presence', 'routingStatus', 'organization']);
  });

  test('what the provider does not report is left out, not faked', async ({ page }) => {
    // A profile with nothing but a name, as a provider with fewer fields would give, and no
    // presence service behind it (the live layer's first call finds nothing).
    await page.route(
      (url) => url.pathname === '/api/v2/users/me',
      async (route) => {
        if (route.request().method() !== 'GET') return route.fallback();
        const response = await route.fetch();
        const full = await response.json();
        await route.fulfill({ response, json: { id: full.id, name: full.name } });
      },
    );
    await page.route(
      (url) => /^\/api\/v2\/(notifications|presence|users\/[^/]+\/(presences|routingstatus))/.test(url.pathname),
      (route) => route.fulfill({ status: 404, json: { message: 'not found', code: 'not.found', status: 404 } }),
    );
    await gotoLogin(page);
    await startSignIn(page);
    await submitSandboxForm(page);
    await expectDashboard(page);
    // The panels come a moment after the name: absent fields are checked once they are there.
    await expect(page.getByRole('heading', { name: 'Profile', exact: true })).toBeVisible();
    for (const testid of [
      'user-presence',
      'presence-chip',
      'user-routing-status',
      'user-organization',
      'user-email',
      'user-title',
      'user-department',
    ]) {
      await expect(page.getByTestId(testid), testid).toHaveCount(0);
    }
    await expect(page.getByRole('banner')).not.toContainText('—');
    await expect(page.getByTestId('provider-label')).toHaveText('Genesys Cloud (sandbox)');
  });
});

test.describe('the worked example: "My queues"', () => {
  test('lists the agent\'s queues from the API, per agent', async ({ page }) => {
    const requests = recordRequests(page);
    await signIn(page);
    const panel = page.getByTestId('queues-panel');
    await expect(panel.getByRole('heading', { name: 'My queues' })).toBeVisible();
    await expect(panel.getByTestId('queue-item')).toHaveText([
      /Customer Care.*Joined.*24 members/,
      /Billing.*Joined.*11 members/,
      /Returns and Refunds.*Joined.*7 members/,
    ]);
    // One call, with the token in the header and the paging in the query.
    const calls = requests.matching('GET', QUEUES_PATH);
    expect(calls).toHaveLength(1);
    expect(new URL(calls[0].url).searchParams.get('pageSize')).toBe('25');

    await signOut(page);
    await signIn(page, { username: 'grace@example.com' });
    await expect(page.getByTestId('queue-item')).toHaveText([/Technical Support/, /Escalations/]);
  });

  test('a refused call shows the error panel in the panel and leaves the session alone', async ({ page }) => {
    await signIn(page);
    await expect(page.getByTestId('queue-item')).toHaveCount(3);
    const base = await sandbox.stats();
    await sandbox.failNext({ endpoint: 'api', mode: 'forbidden' });
    await page.getByTestId('reload-queues').click();
    const error = page.getByTestId('queues-panel').getByTestId('queues-error');
    await expect(error).toHaveAttribute('data-error-code', 'forbidden');
    await expect(error.getByRole('heading', { level: 4 })).toBeVisible();
    expect((await sandbox.stats()).token_refresh - base.token_refresh).toBe(0);
    await expect(page.getByTestId('user-name')).toHaveText(ADA.name);

    // Reloading tries again, and the list comes back.
    await page.getByTestId('reload-queues').click();
    await expect(page.getByTestId('queue-item')).toHaveCount(3);
    await expect(error).toHaveCount(0);
  });

  test('a 401 on the call renews the token once and retries, through the store\'s helper', async ({ page }) => {
    await signIn(page);
    await expect(page.getByTestId('queue-item')).toHaveCount(3);
    const requests = recordRequests(page);
    const base = await sandbox.stats();
    await sandbox.failNext({ endpoint: 'api', mode: 'unauthorized' });
    await page.getByTestId('reload-queues').click();
    await expect(page.getByTestId('queue-item')).toHaveCount(3);
    await expect(page.getByTestId('queues-error')).toHaveCount(0);
    expect((await sandbox.stats()).token_refresh - base.token_refresh).toBe(1);
    expect(requests.count('GET', QUEUES_PATH)).toBe(2);
  });
});
