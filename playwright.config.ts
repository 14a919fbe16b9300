import { defineConfig } from '@playwright/test';

const port = Number(process.env.E2E_PORT ?? 3100);

export default defineConfig({
  testDir: './e2e',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    screenshot: 'on',
    trace: 'retain-on-failure',
    viewport: { width: 1280, height: 860 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    // a separate embedded database with a smaller demo account keeps the suite quick
    command: `node scripts/start.mjs start`,
    url: `http://127.0.0.1:${port}/sign-in`,
    timeout: 300_000,
    reuseExistingServer: false,
    // the supervisor stops web and worker, then its database server (a SIGKILL of the group left that one running)
    gracefulShutdown: { signal: 'SIGTERM', timeout: 30_000 },
    stdout: 'pipe',
    env: {
      PORT: String(port),
      APP_URL: `http://127.0.0.1:${port}`,
      // seeded and writable: the specs make API keys and upload files as the demo user (FACET_DEMO=1 makes it read-only)
      FACET_DEMO: 'writable',
      FACET_DATA_DIR: '.data/e2e/postgres',
      FACET_SEED_PEOPLE: process.env.E2E_SEED_PEOPLE ?? '8000',
      FACET_SEED_GRAPH: process.env.E2E_SEED_GRAPH ?? '20000',
      DATABASE_URL: '',
    },
  },
});
