import { defineConfig } from '@playwright/test';

/**
 * End-to-end suite for pkce-desk.
 *
 * Playwright starts (and stops) two servers itself:
 *  - the sandbox standing in for Genesys Cloud on 127.0.0.1:9190
 *    (build it first: `cargo build -p pkce-desk-sandbox`);
 *  - serve-dist.mjs serving ../dist (build it first: `trunk build`) on 127.0.0.1:8180,
 *    with /config.json answered from fixtures/config.test.json.
 *
 * The browser is the system Chromium (/usr/bin/chromium, or $CHROMIUM_PATH):
 * never run `npx playwright install`.
 */
// The Trunk output to serve; E2E_DIST can point elsewhere (e.g. a release build in another
// folder). Relative paths are relative to this directory.
const dist = process.env.E2E_DIST || '../dist';

export default defineConfig({
  testDir: 'tests',
  // 2-core machine, and every test talks to the one sandbox.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  outputDir: 'test-results/artifacts',
  use: {
    baseURL: 'http://127.0.0.1:8180',
    screenshot: 'only-on-failure',
    trace: 'off',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: [
    {
      command:
        '../target/debug/sandbox --port 9190 --access-token-lifetime 3600 --refresh-tokens rotate --test-controls --redirect-uri http://127.0.0.1:8180/callback',
      url: 'http://127.0.0.1:9190/health',
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // The same binary as a NICE CXone-shaped authorization server, with its own issuer.
      command:
        '../target/debug/sandbox --flavor cxone --port 9191 --access-token-lifetime 3600 --test-controls --redirect-uri http://127.0.0.1:8180/callback',
      url: 'http://127.0.0.1:9191/health',
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      // An independent OpenID provider the project did not write (npm oidc-provider).
      command: 'node oidc-provider.mjs --port 9192 --redirect-uri http://127.0.0.1:8180/callback',
      url: 'http://127.0.0.1:9192/.well-known/openid-configuration',
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: 'ignore',
      stderr: 'pipe',
    },
    {
      command: `node serve-dist.mjs --port 8180 --dist ${JSON.stringify(dist)} --config fixtures/config.test.json`,
      url: 'http://127.0.0.1:8180/config.json',
      reuseExistingServer: false,
      timeout: 30_000,
    },
  ],
});
