import { expect, test, type Page } from '@playwright/test';
import {
  ADA,
  APP,
  SANDBOX,
  expectDashboard,
  gotoLogin,
  sandbox,
  signIn,
  signOut,
} from './helpers';

/**
 * The README's deployment headers, applied to every page of the app: the app starts and a
 * whole sign-in, dashboard and sign-out cause no Content-Security-Policy violation. (Trunk
 * writes its wasm loader inline; scripts/externalize-loader.sh moves it into a file so that
 * `script-src 'self'` allows it.)
 */

/**
 * As in the README's nginx example, with the sandbox in place of the provider's hosts: its
 * API and login, and its notification socket (`wss://streaming.<region>` in production).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  `connect-src 'self' ${SANDBOX} ${SANDBOX.replace(/^http/, 'ws')}`,
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

async function serveWithDeploymentHeaders(page: Page): Promise<string[]> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => {
      seen.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
      consoleErrors.push(message.text());
    }
  });
  await page.route(
    (url) => url.origin === APP,
    async (route) => {
      if (route.request().resourceType() !== 'document') return route.fallback();
      const response = await route.fetch();
      await route.fulfill({
        response,
        headers: {
          ...response.headers(),
          'content-security-policy': CSP,
          'referrer-policy': 'no-referrer',
        },
      });
    },
  );
  return consoleErrors;
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
}

test.beforeEach(async () => {
  await sandbox.reset();
});

test('under the documented CSP the app starts, signs in, calls the API and signs out with no violation', async ({
  page,
}) => {
  const consoleErrors = await serveWithDeploymentHeaders(page);
  await gotoLogin(page);
  expect(await violations(page)).toEqual([]);

  await signIn(page);
  await expectDashboard(page, ADA.name);
  await expect(page.getByTestId('queue-item')).toHaveCount(3);
  // The live status's socket is open under the policy (signIn waited for it to be live).
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-ready', 'true');
  expect(await violations(page)).toEqual([]);

  await signOut(page);
  await expect(page.getByTestId('login-notice')).toHaveText('You have signed out.');
  expect(await violations(page)).toEqual([]);
  expect(consoleErrors).toEqual([]);
});

test('the built index.html has no inline script', async ({ request }) => {
  const html = await (await request.get('/')).text();
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).toMatch(/<script type="module" src="\/loader-[0-9a-f]{16}\.js"><\/script>/);
});
