import { expect, test, type Page, type WebSocket } from '@playwright/test';
import {
  ADA,
  SANDBOX,
  expectDashboard,
  expectLiveReady,
  gotoLogin,
  recordRequests,
  sandbox,
  screenshotPath,
  signIn,
  signOut,
  startSignIn,
  submitSandboxForm,
  useTokenStorage,
} from './helpers';

/**
 * The live agent desktop (issue 14): presence and routing status that change in real time
 * (Genesys Cloud notifications), the agent state of a CXone agent session, and how both
 * recover, stay confirmed-only, and end with the session.
 */

const CXONE = 'http://127.0.0.1:9191';
/** Ada's user id in the Genesys sandbox (users/me). */
const ADA_ID = '5f3c9a1e-7b2d-4c8e-9a41-0d6e2b7f1ada';

async function post(origin: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${origin}/__sandbox/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.ok, `${path}: ${response.status} ${await response.clone().text()}`).toBe(true);
  return response.status === 204 ? null : response.json();
}

async function get(origin: string, path: string): Promise<any> {
  return (await fetch(`${origin}/__sandbox/${path}`)).json();
}

const genesys = {
  /** The platform changes Ada's state (as another client or the routing engine would). */
  agentState: (state: { presence?: string; routing_status?: string }) =>
    post(SANDBOX, 'genesys/agent-state', { user: ADA.username, ...state }),
  push: (topic_name: string, event_body: unknown) =>
    post(SANDBOX, 'genesys/push', { user: ADA.username, topic_name, event_body }),
  socketClosing: (close_after_ms: number) =>
    post(SANDBOX, 'genesys/socket-closing', { user: ADA.username, close_after_ms }),
  dropSockets: () => post(SANDBOX, 'genesys/drop-sockets', { user: ADA.username }),
  expireChannels: () => post(SANDBOX, 'genesys/expire-channels', { user: ADA.username }),
  rejectTopic: (topic: string, missing_permissions: string[]) =>
    post(SANDBOX, 'genesys/reject-topic', { topic, missing_permissions }),
  forbidOnQueue: () => post(SANDBOX, 'genesys/permissions', { user: ADA.username, on_queue: false }),
  channels: () => get(SANDBOX, 'genesys/channels'),
  settings: (settings: { heartbeat_interval_ms?: number; heartbeats?: boolean; pong?: boolean }) =>
    post(SANDBOX, 'live-settings', settings),
};

const presence = (page: Page) => page.getByTestId('user-presence');
const routing = (page: Page) => page.getByTestId('user-routing-status');

/** Every WebSocket the page opens, to see that sign-out closes them. */
function recordSockets(page: Page): WebSocket[] {
  const sockets: WebSocket[] = [];
  page.on('websocket', (socket) => sockets.push(socket));
  return sockets;
}

test.describe('Genesys Cloud: live presence and routing status', () => {
  test.beforeEach(async () => {
    await sandbox.reset();
  });

  test('a presence picked in the header reaches it through the event stream, once', async ({ page }) => {
    await signIn(page);
    await expect(presence(page)).toHaveText('Available');
    await expect(routing(page)).toHaveText('Off queue');
    const requests = recordRequests(page);
    await page.getByTestId('presence-picker').selectOption({ label: 'On Queue' });
    // Going On Queue is a presence change; the platform sets routing status (Idle).
    await expect(presence(page)).toHaveText('On Queue');
    await expect(routing(page)).toHaveText('Idle');
    await expect(page.getByTestId('presence-pending')).toHaveCount(0);
    await expect(page.getByTestId('presence-picker')).toHaveValue('e08eaf1b-ee47-4fa9-a231-1200e284798f');
    const patches = requests.requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => new URL(r.url).pathname)).toEqual([`/api/v2/users/${ADA_ID}/presences/purecloud`]);
    // The app never set routing status itself.
    expect(requests.requests.filter((r) => r.url.includes('/routingstatus') && r.method !== 'GET')).toEqual([]);
    await page.screenshot({ path: screenshotPath('presence-picker.png') });
  });

  test('a status the platform changes appears without a reload', async ({ page }) => {
    await signIn(page);
    const loads = recordRequests(page);
    await genesys.agentState({ presence: 'Away' });
    await expect(presence(page)).toHaveText('Away');
    await genesys.agentState({ presence: 'On Queue', routing_status: 'INTERACTING' });
    await expect(presence(page)).toHaveText('On Queue');
    await expect(routing(page)).toHaveText('Interacting');
    // Through the socket: nothing was polled for it.
    expect(loads.requests.filter((r) => r.url.startsWith(SANDBOX) && r.method !== 'OPTIONS')).toEqual([]);
  });

  test('a change the server refuses is never shown: the header keeps the confirmed presence', async ({ page }) => {
    await signIn(page);
    await genesys.forbidOnQueue();
    // Hold the PATCH a moment: while it is out, the change is shown as asked for, beside the
    // confirmed presence, never in its place.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      (url) => url.pathname.endsWith('/presences/purecloud'),
      async (route) => {
        if (route.request().method() !== 'PATCH') return route.fallback();
        await held;
        await route.continue();
      },
    );
    await page.getByTestId('presence-picker').selectOption({ label: 'On Queue' });
    await expect(page.getByTestId('presence-pending')).toHaveText('Changing to On Queue…');
    await expect(presence(page)).toHaveText('Available');
    await expect(page.getByTestId('presence-picker')).toHaveValue('6a3af858-942f-489d-9700-5f9bcdcdae9b');
    release();
    await expect(page.getByTestId('presence-error')).toContainText('routing:agent:onQueue');
    await expect(page.getByTestId('presence-pending')).toHaveCount(0);
    await expect(page.getByTestId('presence-error')).toContainText('Routing > Agent > On Queue');
    await expect(presence(page)).toHaveText('Available');
    await expect(routing(page)).toHaveText('Off queue');
    await expect(page.getByTestId('presence-picker')).toHaveValue('6a3af858-942f-489d-9700-5f9bcdcdae9b');
  });

  test('a dropped socket shows "offline, reconnecting", then recovers and re-reads what it missed', async ({
    page,
  }) => {
    await signIn(page);
    const before = await sandbox.stats();
    // The first reconnect is refused, so the reconnecting state lasts long enough to see (the
    // app then backs off and replaces the channel).
    await sandbox.failNext({ endpoint: 'live', mode: 'html_502', count: 1 });
    await genesys.dropSockets();
    await expect(page.getByTestId('live-reconnecting')).toContainText('Offline, reconnecting');
    await expect(page.getByTestId('live-reconnecting')).toContainText('since last event');
    await expect(page.getByTestId('presence-last-known')).toBeVisible();
    await page.screenshot({ path: screenshotPath('live-reconnecting.png') });
    // Changed while no socket was there to hear it: only a re-read can find it.
    await genesys.agentState({ presence: 'Break' });
    await expectLiveReady(page);
    await expect(presence(page)).toHaveText('Break');
    await expect(page.getByTestId('live-reconnecting')).toHaveCount(0);
    await expect(page.getByTestId('presence-last-known')).toHaveCount(0);
    const after = await sandbox.stats();
    expect(after.sockets_opened - before.sockets_opened).toBe(1);
  });

  test('socket_closing: a new socket opens before the old one closes, and no event is lost', async ({ page }) => {
    const sockets = recordSockets(page);
    await signIn(page);
    expect(sockets).toHaveLength(1);
    const before = await sandbox.stats();
    await genesys.socketClosing(3_000);
    await expect.poll(async () => (await sandbox.stats()).sockets_opened).toBe(before.sockets_opened + 1);
    // Between the new socket and the old one's close, the platform changes the state.
    await genesys.agentState({ presence: 'Meal' });
    await expect(presence(page)).toHaveText('Meal');
    // The old socket is gone (the new one on the channel replaced it), the new one is open.
    await expect.poll(() => sockets.map((s) => s.isClosed()), { timeout: 8_000 }).toEqual([true, false]);
    await genesys.agentState({ presence: 'Available' });
    await expect(presence(page)).toHaveText('Available');
    const { channels } = await genesys.channels();
    expect(channels.filter((c: any) => c.connected)).toHaveLength(1);
  });

  test('an expired channel is replaced: a new channel, its subscription, and the state re-read', async ({ page }) => {
    await signIn(page);
    const before = await sandbox.stats();
    await genesys.expireChannels();
    await genesys.agentState({ presence: 'Training' });
    await expect(presence(page)).toHaveText('Training');
    await expectLiveReady(page);
    const after = await sandbox.stats();
    expect(after.channels_created - before.channels_created).toBe(1);
    // And the new channel hears events.
    await genesys.agentState({ presence: 'Available' });
    await expect(presence(page)).toHaveText('Available');
  });

  test('a silent socket is pinged, and a socket that stops answering is replaced', async ({ page }) => {
    await genesys.settings({ heartbeat_interval_ms: 1_000 });
    await signIn(page);
    // Two heartbeats teach the app the interval; its waits shrink to fit (3 s, then 2 s).
    await page.waitForTimeout(2_500);
    const before = await sandbox.stats();
    await genesys.settings({ heartbeats: false, pong: false });
    await expect.poll(async () => (await sandbox.stats()).pings, { timeout: 15_000 }).toBeGreaterThan(before.pings);
    await expect.poll(async () => (await sandbox.stats()).sockets_opened, { timeout: 20_000 }).toBeGreaterThan(
      before.sockets_opened,
    );
    await genesys.settings({ heartbeats: true, pong: true });
    await genesys.agentState({ presence: 'Busy' });
    await expect(presence(page)).toHaveText('Busy');
  });

  test('token renewal does not interrupt the stream', async ({ page }) => {
    await signIn(page);
    const sockets = recordSockets(page);
    const before = await sandbox.stats();
    await page.getByTestId('refresh-now').click();
    await expect.poll(async () => (await sandbox.stats()).token_refresh).toBe(before.token_refresh + 1);
    await genesys.agentState({ presence: 'Meeting' });
    await expect(presence(page)).toHaveText('Meeting');
    const after = await sandbox.stats();
    expect(after.sockets_opened).toBe(before.sockets_opened);
    expect(after.channels_created).toBe(before.channels_created);
    expect(sockets).toHaveLength(0);
  });

  test('a refused subscription names the permissions the admin must grant', async ({ page }) => {
    await genesys.rejectTopic(`v2.users.${ADA_ID}.presence`, ['presence:userPresence:view']);
    await genesys.rejectTopic(`v2.users.${ADA_ID}.routingStatus`, ['routing:agent:view']);
    // Not signIn: it waits for a live status that a refused subscription never gives.
    await gotoLogin(page);
    await startSignIn(page);
    await submitSandboxForm(page);
    await expectDashboard(page);
    await expect(page.getByTestId('live-permission-hint')).toContainText('presence:userPresence:view');
    await expect(page.getByTestId('live-permission-hint')).toContainText('routing:agent:view');
  });

  test('sign-out closes the socket, and no live request follows', async ({ page }) => {
    const sockets = recordSockets(page);
    await signIn(page);
    const requests = recordRequests(page);
    // When the browser leaves for the provider's logout, the app has already closed its
    // socket (a page unload would close it too, but only after leaving).
    let openAtLogout = -1;
    await page.route(
      (url) => url.origin === SANDBOX && url.pathname === '/logout',
      async (route) => {
        openAtLogout = (await genesys.channels()).sockets_open;
        await route.continue();
      },
    );
    await signOut(page);
    expect(openAtLogout).toBe(0);
    await expect.poll(() => sockets.every((s) => s.isClosed())).toBe(true);
    expect(sockets.length).toBeGreaterThan(0);
    await expect.poll(async () => (await genesys.channels()).sockets_open).toBe(0);
    // Events after sign-out reach nobody and cause nothing.
    await genesys.agentState({ presence: 'Away' });
    await page.waitForTimeout(500);
    const live = requests.requests.filter(
      (r) => /\/api\/v2\/(notifications|presence|users\/[^/]+\/(presences|routingstatus))/.test(r.url),
    );
    expect(live).toEqual([]);
  });
});

test.describe('NICE CXone: the agent session', () => {
  async function cxoneSignIn(page: Page) {
    await page.context().clearCookies();
    await page.goto('/login');
    await page.getByTestId('sign-in-sandbox-cxone').click();
    await page.waitForURL((url) => url.origin === CXONE && url.pathname === '/auth/authorize');
    await page.getByLabel('Username').fill(ADA.username);
    await page.getByLabel('Password').fill(ADA.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/dashboard');
    await expect(page.getByTestId('user-name')).toHaveText(ADA.name);
    await expectLiveReady(page);
  }

  const stats = async () => get(CXONE, 'stats');
  /**
   * Until the sandbox holds the agent session's poll, its token already checked: a test that
   * then kills the tokens knows no poll is on its way in with them (that poll would renew
   * first, and the test would not be about the renewal it sets up).
   */
  const pollHeld = () => expect.poll(async () => (await stats()).agent_session_polls_held).toBe(1);

  /**
   * As after a sleep: the tokens are dead at the provider, and `tab`'s renewal is out and held
   * for `delay_ms`. Returns the sandbox's stats from before it.
   */
  async function holdRenewal(tab: Page, delay_ms: number) {
    await pollHeld();
    const before = await stats();
    await post(CXONE, 'expire-access-tokens');
    await post(CXONE, 'fail-next', { endpoint: 'token_refresh', mode: 'hold_response', delay_ms });
    await tab.getByTestId('refresh-now').click();
    await expect.poll(async () => (await stats()).token_refresh).toBe(before.token_refresh + 1);
    return before;
  }

  /**
   * With shared tokens: a second tab of the same sign-in, its desk live. It starts its own
   * agent session; the platform keeps one per agent, so the first tab's ends.
   */
  async function openSecondDesk(page: Page) {
    const other = await page.context().newPage();
    await other.goto('/dashboard');
    await expect(other.getByTestId('user-name')).toHaveText(ADA.name);
    await expectLiveReady(other);
    await expect(page.getByTestId('agent-session-ended')).toBeVisible();
    return other;
  }

  test.beforeEach(async () => {
    // Agent sessions outlive a sandbox reset (its counters do not): a session a previous test
    // left behind (its tab closed with the context) must not count as this test's.
    for (const user of [ADA.username, 'grace@example.com']) {
      await post(CXONE, 'cxone/end-session', { user, event: false });
    }
    await post(CXONE, 'reset');
  });

  test('starts unavailable, goes Available and Unavailable with a code, through the event stream', async ({
    page,
  }) => {
    await cxoneSignIn(page);
    const agentState = page.getByTestId('agent-state');
    await expect(agentState).toHaveText('Unavailable');
    await page.getByTestId('agent-available').click();
    await expect(agentState).toHaveText('Available');
    await page.getByTestId('unavailable-code').selectOption('Lunch');
    await page.getByTestId('agent-unavailable').click();
    await expect(agentState).toHaveText('Unavailable · Lunch');
    await expect(page.getByTestId('agent-state-pending')).toHaveCount(0);
    await page.screenshot({ path: screenshotPath('cxone-agent-state.png') });
  });

  test('an event pushed by the platform shows without a reload; the skills example loads', async ({ page }) => {
    await cxoneSignIn(page);
    await post(CXONE, 'cxone/push', {
      user: ADA.username,
      event: {
        Type: 'AgentState',
        CurrentState: 'Available',
        CurrentOutReason: '',
        StartTimeUTC: new Date().toISOString(),
        IsAcw: 'False',
        NextStates: [],
      },
    });
    await expect(page.getByTestId('agent-state')).toHaveText('Available');
    await expect(page.getByTestId('skill-item')).toHaveCount(3);
  });

  test('a session ended by the platform says so, and polling stops', async ({ page }) => {
    await cxoneSignIn(page);
    await post(CXONE, 'cxone/end-session', { user: ADA.username });
    await expect(page.getByTestId('agent-session-ended')).toBeVisible();
    const polls = (await stats()).agent_session_polls;
    // Longer than the first retry after a failed poll (2 s and jitter): a loop that kept
    // polling with backoff would show here.
    await page.waitForTimeout(3_500);
    expect((await stats()).agent_session_polls - polls).toBeLessThanOrEqual(0);
  });

  test('sign-out ends the agent session, and no poll follows', async ({ page }) => {
    await cxoneSignIn(page);
    const before = await stats();
    const requests = recordRequests(page);
    await page.getByTestId('sign-out').click();
    await page.waitForURL((url) => url.pathname === '/login' || url.origin === CXONE);
    await expect.poll(async () => (await stats()).agent_sessions_ended).toBe(before.agent_sessions_ended + 1);
    await page.waitForTimeout(1_000);
    const deletes = requests.requests.filter((r) => r.method === 'DELETE' && r.url.includes('/agent-sessions/'));
    expect(deletes).toHaveLength(1);
    const after = await stats();
    expect(after.agent_sessions_live).toBe(0);
    const deleteIndex = requests.requests.findIndex((r) => r === deletes[0]);
    const polledAfter = requests.requests
      .slice(deleteIndex + 1)
      .filter((r) => r.url.includes('/get-next-event') || r.url.includes('/agent-sessions'));
    expect(polledAfter).toEqual([]);
  });
  test('a sign-out during a late renewal ends the agent session with the renewed token', async ({ page }) => {
    await cxoneSignIn(page);
    // As after a sleep: the token the tab holds is dead, and its renewal is out and held.
    const before = await holdRenewal(page, 8_000);
    await page.getByTestId('sign-out').click();
    // The sign-out waits for the renewal still held...
    await page.waitForTimeout(1_000);
    expect((await stats()).agent_sessions_ended).toBe(before.agent_sessions_ended);
    // ...then the end goes out with the token it brought, before that is revoked.
    await expect
      .poll(async () => (await stats()).agent_sessions_ended, { timeout: 10_000 })
      .toBe(before.agent_sessions_ended + 1);
    expect((await stats()).agent_sessions_live).toBe(0);
  });

  test('a sign-out after a sleep renews once, so the agent session still ends', async ({ page }) => {
    await page.clock.install();
    await cxoneSignIn(page);
    // A poll sent with the dead token would renew first, and the sandbox's ID tokens, stamped
    // with its own clock, are two hours old to a page whose clock jumped: that ends the session.
    await pollHeld();
    const before = await stats();
    // Two hours asleep: the token is dead here and at the provider, and no renewal is out.
    await post(CXONE, 'expire-access-tokens');
    await page.clock.setSystemTime(Date.now() + 2 * 3600 * 1000);
    await page.getByTestId('sign-out').click();
    await expect.poll(async () => (await stats()).agent_sessions_ended).toBe(before.agent_sessions_ended + 1);
    expect((await stats()).token_refresh).toBe(before.token_refresh + 1);
  });

  test('with shared tokens, signing out in one tab ends the agent session another tab holds', async ({ page }) => {
    await useTokenStorage(page.context(), 'local');
    await cxoneSignIn(page);
    const other = await openSecondDesk(page);
    const before = await stats();
    expect(before.agent_sessions_live).toBe(1);
    await page.getByTestId('sign-out').click();
    await other.waitForURL((url) => url.pathname === '/login');
    await expect.poll(async () => (await stats()).agent_sessions_live).toBe(0);
    expect((await stats()).agent_sessions_ended).toBe(before.agent_sessions_ended + 1);
  });

  test("with shared tokens, another tab's renewal that returns after the sign-out ends the agent session", async ({
    page,
  }) => {
    await useTokenStorage(page.context(), 'local');
    await cxoneSignIn(page);
    const other = await openSecondDesk(page);
    // The tokens both tabs hold are dead at the provider; the other tab's renewal is out, held.
    const before = await holdRenewal(other, 3_000);
    await page.getByTestId('sign-out').click();
    // Rotated, the renewal's tokens are the session's only live ones: the other tab ends the
    // agent session with them.
    await expect.poll(async () => (await stats()).agent_sessions_live, { timeout: 10_000 }).toBe(0);
    expect((await stats()).agent_sessions_ended).toBe(before.agent_sessions_ended + 1);
  });

  test('closing the tab ends its agent session: the agent is not left logged in to the ACD', async ({ page }) => {
    await cxoneSignIn(page);
    const before = await stats();
    expect(before.agent_sessions_live).toBe(1);
    // The sandbox waits before it handles the next live request (the long poll in flight was
    // already handled): an ordinary request would die with the page; a keepalive one arrives.
    await post(CXONE, 'fail-next', { endpoint: 'live', mode: 'delay', delay_ms: 1_500 });
    await page.close();
    await expect.poll(async () => (await stats()).agent_sessions_live).toBe(0);
    expect((await stats()).agent_sessions_ended).toBe(before.agent_sessions_ended + 1);
  });
  test("another agent's sign-in in a second tab ends the first agent's session", async ({ page }) => {
    await useTokenStorage(page.context(), 'local');
    await page.context().clearCookies();
    // The second tab opens the provider's sign-in page first...
    const tabB = await page.context().newPage();
    await tabB.goto('/login');
    await tabB.getByTestId('sign-in-sandbox-cxone').click();
    await tabB.waitForURL((url) => url.origin === CXONE && url.pathname === '/auth/authorize');
    // ...the first signs in as Ada and her agent session starts...
    await cxoneSignIn(page);
    const ada = (await get(CXONE, 'cxone/sessions')).sessions.find((s: any) => !s.ended);
    expect(ada.ended).toBe(false);
    // ...then the second finishes as Grace: every tab is Grace's now.
    await tabB.getByLabel('Username').fill('grace@example.com');
    await tabB.getByLabel('Password').fill('demo');
    await tabB.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(tabB.getByTestId('user-name')).toHaveText('Grace Hopper');
    await expect(page.getByTestId('user-name')).toHaveText('Grace Hopper');
    const adasLive = async () =>
      (await get(CXONE, 'cxone/sessions')).sessions.filter((s: any) => s.user_id === ada.user_id && !s.ended);
    await expect.poll(adasLive).toEqual([]);
  });
});
