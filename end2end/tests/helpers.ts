import { expect, type Page, type Request } from '@playwright/test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The sandbox standing in for Genesys Cloud (started by playwright.config.ts). */
export const SANDBOX = 'http://127.0.0.1:9190';
/** Where serve-dist.mjs serves the app (the config's baseURL). */
export const APP = 'http://127.0.0.1:8180';

export const SESSION_KEY = 'pkce-desk.session';
export const TX_PREFIX = 'pkce-desk.tx.';
export const PROVIDER_ID = 'sandbox-genesys';
export const PROVIDER_BUTTON_TEXT = 'Sign in with Genesys Cloud (sandbox)';

export const ADA = {
  username: 'ada@example.com',
  password: 'demo',
  name: 'Ada Lovelace',
  title: 'Senior Agent',
  department: 'Customer Care',
};

export interface Credentials {
  username?: string;
  password?: string;
}

export interface RecordedRequest {
  method: string;
  url: string;
  resourceType: string;
  isNavigation: boolean;
}

/**
 * Records every request the page makes (navigations, fetches, sub-resources) so a test can
 * count them afterwards. Attach it before the first navigation.
 */
export class RequestRecorder {
  readonly requests: RecordedRequest[] = [];

  constructor(page: Page) {
    page.on('request', (request: Request) => {
      this.requests.push({
        method: request.method(),
        url: request.url(),
        resourceType: request.resourceType(),
        isNavigation: request.isNavigationRequest(),
      });
    });
  }

  /** Requests with this method whose URL is `origin + pathname` (any query string). */
  matching(method: string, pathname: string, origin: string = SANDBOX): RecordedRequest[] {
    return this.requests.filter((r) => {
      if (r.method !== method.toUpperCase()) return false;
      const url = new URL(r.url);
      return url.origin === origin && url.pathname === pathname;
    });
  }

  count(method: string, pathname: string, origin: string = SANDBOX): number {
    return this.matching(method, pathname, origin).length;
  }

  /** POSTs to the sandbox's token endpoint. */
  tokenPosts(): number {
    return this.count('POST', '/oauth/token');
  }

  /** GETs of the current-user API. */
  userGets(): number {
    return this.count('GET', '/api/v2/users/me');
  }

  urls(): string[] {
    return this.requests.map((r) => r.url);
  }
}

export function recordRequests(page: Page): RequestRecorder {
  return new RequestRecorder(page);
}

/** Collects (and dismisses) every JavaScript dialog: an XSS payload that ran would show here. */
export function recordDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', async (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  return dialogs;
}

/** The app's login page, ready to click. */
export async function gotoLogin(page: Page, path = '/login'): Promise<void> {
  await page.goto(path);
  await expect(page.getByRole('heading', { name: 'Sign in', exact: true })).toBeVisible();
}

/**
 * From the app's login page, clicks the sandbox provider's button and waits for the
 * sandbox's sign-in form. Returns the authorize URL (it carries `state`, the PKCE challenge…).
 */
export async function startSignIn(page: Page): Promise<URL> {
  // No provider session yet: the sandbox, like Genesys, skips its form for a browser that
  // has one (its SSO cookie), and these tests sign in through the form.
  await page.context().clearCookies();
  const button = page.getByTestId(`sign-in-${PROVIDER_ID}`);
  await expect(button).toHaveText(new RegExp(PROVIDER_BUTTON_TEXT.replace(/[()]/g, '\\$&')));
  await button.click();
  await page.waitForURL((url) => url.origin === SANDBOX && url.pathname === '/oauth/authorize');
  await expect(page.getByLabel('Username')).toBeVisible();
  return new URL(page.url());
}

/** On the sandbox's sign-in form: fills in the credentials and clicks "Sign in". */
export async function submitSandboxForm(page: Page, creds: Credentials = {}): Promise<void> {
  const { username = ADA.username, password = ADA.password } = creds;
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Waits until the dashboard shows the signed-in user's name. */
export async function expectDashboard(page: Page, name = ADA.name): Promise<void> {
  await page.waitForURL((url) => url.origin === APP && url.pathname === '/dashboard');
  await expect(page.getByTestId('user-name')).toHaveText(name);
}

/**
 * Signs in through the sandbox form, starting from the app's login page (it goes there
 * first if the page is elsewhere), and waits for the dashboard.
 */
export async function signIn(page: Page, creds: Credentials = {}): Promise<void> {
  const here = page.url().startsWith(APP) ? new URL(page.url()) : null;
  if (!here || here.pathname !== '/login') {
    await gotoLogin(page);
  } else {
    await expect(page.getByTestId(`sign-in-${PROVIDER_ID}`)).toBeVisible();
  }
  await startSignIn(page);
  await submitSandboxForm(page, creds);
  const expectedName =
    (creds.username ?? ADA.username).toLowerCase() === 'grace@example.com' ? 'Grace Hopper' : ADA.name;
  await expectDashboard(page, expectedName);
  await expectLiveReady(page);
}

/**
 * Waits until the live layer is up (socket open, state re-read since): tests that count API
 * requests or queue failure rules start from a quiet dashboard, not in the middle of its setup.
 */
export async function expectLiveReady(page: Page): Promise<void> {
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-ready', 'true');
}

/** The stored session (`pkce-desk.session` in sessionStorage), parsed, or null. */
export async function readSession(page: Page): Promise<any | null> {
  const raw = await page.evaluate((key) => window.sessionStorage.getItem(key), SESSION_KEY);
  return raw === null ? null : JSON.parse(raw);
}

/** All sessionStorage keys of the app's origin. */
export async function sessionStorageKeys(page: Page): Promise<string[]> {
  return page.evaluate(() => Object.keys(window.sessionStorage));
}

/**
 * Where tests save screenshots: test-results/screenshots/ (ignored), so a test run leaves the
 * tree clean. `scripts/screenshots.sh` sets UPDATE_SCREENSHOTS=1 to refresh the committed
 * images in end2end/screenshots/ instead.
 */
export const SCREENSHOTS_DIR = fileURLToPath(
  new URL(process.env.UPDATE_SCREENSHOTS === '1' ? '../screenshots/' : '../test-results/screenshots/', import.meta.url),
);

export function screenshotPath(name: string): string {
  return path.join(SCREENSHOTS_DIR, name);
}

/** The sandbox's test controls (`--test-controls`): make it misbehave, and count what it saw. */
export interface FailureRule {
  endpoint: 'authorize' | 'token' | 'token_refresh' | 'token_code' | 'users_me' | 'api' | 'revoke' | 'live';
  mode: string;
  count?: number;
  delay_ms?: number;
  retry_after?: number;
  error?: string;
}

export interface SandboxStats {
  authorize_page: number;
  authorize_submit: number;
  token_authorization_code: number;
  token_refresh: number;
  token_other: number;
  users_me: number;
  tokens_me: number;
  revoke: number;
  logout: number;
  tenant_config: number;
  discovery: number;
  /** GET /oauth/authorize answered with a code through the SSO session cookie. */
  authorize_silent: number;
  /** Bearer-protected API requests that reached the token check. */
  api_calls: number;
  /** Of those, the ones refused with 401 (missing, unknown, expired or revoked token). */
  api_rejected_401: number;
  /** Refresh tokens that were live when DELETE /api/v2/tokens/me revoked their sign-in. */
  revoked_refresh_tokens: number;
  /** Refresh tokens usable right now (issued, not spent, not revoked); not reset by reset. */
  live_refresh_tokens: number;
  /** The live layer (Genesys): channels created, sockets opened and open now, pings, PATCHes. */
  channels_created: number;
  sockets_opened: number;
  sockets_open: number;
  pings: number;
  presence_patches: number;
  /** The live layer (CXone): agent sessions, their polls and state changes. */
  agent_sessions_started: number;
  agent_session_polls: number;
  agent_state_changes: number;
  agent_sessions_ended: number;
  agent_sessions_live: number;
  agent_session_polls_held: number;
}

async function control(path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${SANDBOX}/__sandbox/${path}`, {
    method: body === undefined && path === 'stats' ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(`sandbox control ${path} failed: ${response.status} ${await response.text()}`);
  }
  return response;
}

export const sandbox = {
  failNext: (rule: FailureRule) => control('fail-next', rule),
  settings: (settings: {
    access_token_lifetime?: number;
    refresh_tokens?: 'none' | 'rotate';
    issue_refresh_tokens?: boolean;
    rotate_refresh_tokens?: boolean;
  }) => control('settings', settings),
  expireSsoSessions: () => control('expire-sso-sessions'),
  /** Whether the sandbox would still take `refresh_token`: live, spent, revoked or unknown. */
  tokenStatus: async (refresh_token: string): Promise<string> =>
    (await (await control('token-status', { refresh_token })).json()).refresh_token_status,
  expireAccessTokens: () => control('expire-access-tokens'),
  reset: () => control('reset'),
  stats: async (): Promise<SandboxStats> => (await control('stats')).json(),
};

/** The test config, changed by `change`, served to every page of `target` from now on. */
export async function useConfig(target: { route: Page['route']; unroute: Page['unroute'] }, change: (config: any) => void): Promise<void> {
  const fixture = JSON.parse(
    await (await import('node:fs/promises')).readFile(new URL('../fixtures/config.test.json', import.meta.url), 'utf8'),
  );
  change(fixture);
  await target.unroute('**/config.json').catch(() => {});
  await target.route('**/config.json', (route) =>
    route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(fixture) }),
  );
}

/** The test config with another token storage policy, served to every page of `target`. */
export async function useTokenStorage(
  target: { route: Page['route']; unroute: Page['unroute'] },
  policy: 'memory' | 'session' | 'local',
): Promise<void> {
  await useConfig(target, (config) => {
    config.token_storage = policy;
  });
}

/** Every key of both storages of the app's origin, as seen from `page` (on the app). */
export async function storageKeys(page: Page): Promise<{ session: string[]; local: string[] }> {
  return page.evaluate(() => ({
    session: Object.keys(window.sessionStorage).sort(),
    local: Object.keys(window.localStorage).sort(),
  }));
}

/** The session stored in localStorage (the `local` policy), parsed, or null. */
export async function readSharedSession(page: Page): Promise<any | null> {
  const raw = await page.evaluate((key) => window.localStorage.getItem(key), SESSION_KEY);
  return raw === null ? null : JSON.parse(raw);
}

/** Matches a URL of the app at `pathname` (for `page.waitForURL`). */
export const onPath = (pathname: string) => (url: URL) => url.origin === APP && url.pathname === pathname;

/** The error panel is shown with this error code; returns it for further checks. */
export async function expectAuthError(page: Page, code: string) {
  const panel = page.getByTestId('auth-error');
  await expect(panel).toBeVisible();
  await expect(panel).toHaveAttribute('data-error-code', code);
  return panel;
}

/**
 * Clicks "Sign out" and waits for the whole round trip: the app's own /login, the provider's
 * logout page (`logoutPrefix`), and the full page load back on /login. Reading storage any
 * earlier could race the navigation.
 */
export async function signOut(page: Page, logoutPrefix = `${SANDBOX}/logout`): Promise<void> {
  const providerLogout = page.waitForRequest((request) => request.url().startsWith(logoutPrefix));
  // The only full page load of a sign-out is the provider's redirect back to /login (the app's
  // own move to /login happens in place), so this is the end of the round trip.
  const loadedBack = page.waitForEvent('load');
  await page.getByTestId('sign-out').click();
  await providerLogout;
  await loadedBack;
  await page.waitForURL((url) => url.origin === APP && url.pathname === '/login');
}
