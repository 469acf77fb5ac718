import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import {
  ADA,
  APP,
  PROVIDER_ID,
  SANDBOX,
  expectDashboard,
  gotoLogin,
  onPath,
  sandbox,
  screenshotPath,
  signIn,
  startSignIn,
} from './helpers';

/**
 * Accessibility: axe on every kind of page (login, dashboard, errors) in light and dark, page
 * titles, keyboard-only sign-in with a visible focus ring, the skip link, 200 % zoom and a
 * narrow window without horizontal scrolling, and `prefers-color-scheme`.
 */

/** Runs axe (every rule it has, WCAG 2.x A/AA and best practices) and fails on any serious or
 *  critical violation, listing each with the elements it found. */
async function expectNoSeriousViolations(page: Page, where: string): Promise<void> {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious, `serious or critical accessibility violations on ${where}`).toEqual([]);
}

/** The dashboard with everything loaded: the agent and the worked example's queues. */
async function expectDashboardLoaded(page: Page): Promise<void> {
  await expectDashboard(page);
  await expect(page.getByTestId('user-presence')).toHaveText('Available');
  await expect(page.getByTestId('queue-item')).toHaveCount(3);
}

/** Presses Tab until `target` has focus (at most `limit` times). */
async function tabTo(page: Page, target: Locator, limit = 25): Promise<void> {
  for (let i = 0; i < limit; i += 1) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press('Tab');
  }
  await expect(target).toBeFocused();
}

async function hasHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
}

async function backgroundColor(page: Page): Promise<string> {
  return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
}

test.beforeEach(async () => {
  await sandbox.reset();
});

test.describe('accessibility checks (axe: no serious or critical violations)', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    test(`login page, ${colorScheme}`, async ({ page }) => {
      await page.emulateMedia({ colorScheme });
      await gotoLogin(page);
      await expect(page).toHaveTitle('Sign in · pkce-desk');
      await expectNoSeriousViolations(page, `the login page (${colorScheme})`);
    });

    test(`dashboard, signed in, ${colorScheme}`, async ({ page }) => {
      await page.emulateMedia({ colorScheme });
      await signIn(page);
      await expectDashboardLoaded(page);
      await expect(page).toHaveTitle('Agent desktop · pkce-desk');
      await expectNoSeriousViolations(page, `the dashboard (${colorScheme})`);
    });
  }

  test('error page: cancelled at the provider', async ({ page }) => {
    await gotoLogin(page);
    await startSignIn(page);
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.waitForURL(onPath('/callback'));
    await expect(page.getByTestId('auth-error')).toHaveAttribute('data-error-code', 'authorization_error');
    await expectNoSeriousViolations(page, 'the cancelled sign-in page');
  });

  test('error page: a forged callback', async ({ page }) => {
    await page.goto('/callback?code=x&state=forged');
    await expect(page.getByTestId('auth-error')).toHaveAttribute('data-error-code', 'unknown_transaction');
    await expect(page).toHaveTitle('Sign-in problem · pkce-desk');
    await expectNoSeriousViolations(page, 'the forged-callback page');
  });

  test('error panel inside the dashboard (the queues call refused)', async ({ page }) => {
    await signIn(page);
    await expect(page.getByTestId('queue-item')).toHaveCount(3);
    await sandbox.failNext({ endpoint: 'api', mode: 'forbidden' });
    await page.getByTestId('reload-queues').click();
    await expect(page.getByTestId('queues-error')).toHaveAttribute('data-error-code', 'forbidden');
    await expectNoSeriousViolations(page, 'the dashboard with a failed panel');
  });

  test('not-found page', async ({ page }) => {
    await page.goto('/no-such-page');
    await expect(page.getByTestId('not-found')).toBeVisible();
    await expect(page).toHaveTitle('Page not found · pkce-desk');
    await expectNoSeriousViolations(page, 'the not-found page');
  });

  test('config error page', async ({ page }) => {
    await page.route('**/config.json', (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: '{"providers": []}' }),
    );
    await page.goto('/login');
    await expect(page.getByTestId('config-error')).toBeVisible();
    await expect(page).toHaveTitle('Configuration problem · pkce-desk');
    await expectNoSeriousViolations(page, 'the config error page');
  });
});

test.describe('keyboard only', () => {
  test('sign in, use the skip link, reach Sign out with a visible focus ring, sign out', async ({ page }) => {
    await gotoLogin(page);

    // The first Tab stop is the skip link, visible while focused; the next is the provider.
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press('Tab');
    await expect(page.getByTestId(`sign-in-${PROVIDER_ID}`)).toBeFocused();
    await page.keyboard.press('Enter');

    // The sandbox's sign-in form, by keyboard.
    await page.waitForURL((url) => url.origin === SANDBOX && url.pathname === '/oauth/authorize');
    await tabTo(page, page.getByLabel('Username'));
    await page.keyboard.type(ADA.username);
    await page.keyboard.press('Tab');
    await expect(page.getByLabel('Password')).toBeFocused();
    await page.keyboard.type(ADA.password);
    await page.keyboard.press('Enter');
    await expectDashboardLoaded(page);

    // On the dashboard the skip link comes first again, then the presence picker, then Sign
    // out, with a visible ring.
    await tabTo(page, skip);
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('presence-picker')).toBeFocused();
    await page.keyboard.press('Tab');
    const signOut = page.getByTestId('sign-out');
    await expect(signOut).toBeFocused();
    const ring = await signOut.evaluate((el) => {
      const style = getComputedStyle(el);
      return {
        focusVisible: el.matches(':focus-visible'),
        outlineStyle: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth),
      };
    });
    expect(ring.focusVisible).toBe(true);
    expect(ring.outlineStyle).not.toBe('none');
    expect(ring.outlineWidth).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: screenshotPath('dashboard-keyboard-focus.png') });

    // The skip link moves focus to the content, and Tab continues inside it.
    await page.keyboard.press('Shift+Tab');
    await expect(page.getByTestId('presence-picker')).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(skip).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.locator('main#main')).toBeFocused();
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => !!document.activeElement?.closest('main'))).toBe(true);

    // Back to Sign out (the stop before the content), and out.
    await page.keyboard.press('Shift+Tab');
    await expect(signOut).toBeFocused();
    await page.keyboard.press('Enter');
    await page.waitForURL(onPath('/login'));
    await expect(page.getByTestId('login-notice')).toHaveText('You have signed out.');
  });
});

// 200 % zoom of a 1280 px window is a 640 CSS px viewport at two device pixels per CSS pixel.
/** Signs in from the login page; neither page scrolls sideways, and the agent and Sign out
 * stay on screen. */
async function expectLoginAndDashboardFit(page: Page) {
  await gotoLogin(page);
  expect(await hasHorizontalScroll(page), 'login page scrolls sideways').toBe(false);
  await signIn(page);
  await expectDashboardLoaded(page);
  expect(await hasHorizontalScroll(page), 'dashboard scrolls sideways').toBe(false);
  await expect(page.getByTestId('user-name')).toBeInViewport();
  await expect(page.getByTestId('sign-out')).toBeInViewport();
}

test.describe('200 % zoom', () => {
  test.use({ viewport: { width: 640, height: 800 }, deviceScaleFactor: 2 });

  test('every page reflows without horizontal scrolling', async ({ page }) => {
    await page.goto('/callback?code=x&state=forged');
    await expect(page.getByTestId('auth-error')).toBeVisible();
    expect(await hasHorizontalScroll(page), 'error page scrolls sideways').toBe(false);
    await expectLoginAndDashboardFit(page);
  });
});

test.describe('narrow window (360 px)', () => {
  test.use({ viewport: { width: 360, height: 780 } });

  test('the dashboard fits, with the agent and Sign out on screen', async ({ page }) => {
    await expectLoginAndDashboardFit(page);
    await page.screenshot({ path: screenshotPath('dashboard-narrow.png'), fullPage: true });
    await page.goto('/no-such-page');
    await expect(page.getByTestId('not-found')).toBeVisible();
    expect(await hasHorizontalScroll(page), 'not-found page scrolls sideways').toBe(false);
  });
});

test.describe('prefers-color-scheme', () => {
  test('dark mode changes the colours (and stays readable)', async ({ page }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await signIn(page);
    await expectDashboardLoaded(page);
    const light = await backgroundColor(page);
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await backgroundColor(page);
    expect(dark).not.toBe(light);
    await page.screenshot({ path: screenshotPath('dashboard-dark.png'), fullPage: true });
  });
});
