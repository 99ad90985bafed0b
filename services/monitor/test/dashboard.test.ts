// The dashboard in headless Chromium against a live embedded cluster: what a person sees, and a screenshot to look at.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { createLogger, loadConfig } from '@logperf/core';
import { createBackends, startGateway, startProcessor, type Backends } from '@logperf/cluster';
import { type RunningRole } from '@logperf/platform';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboardHtml } from '../src/dashboard.js';
import { startMonitor } from '../src/start-monitor.js';

const CHROMIUM = '/usr/bin/chromium';
const logger = createLogger('dashboard-test', 'silent');
const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing && process.env.CI === 'true')
  throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(chromiumMissing)('dashboard in Chromium', () => {
  const config = loadConfig({ LOGPERF_PGLITE_DIR: 'memory://' }, {});
  let backends: Backends;
  let processor: RunningRole;
  let gateway: RunningRole;
  let monitor: Awaited<ReturnType<typeof startMonitor>>;
  let browser: Browser;
  let sending: NodeJS.Timeout;

  beforeAll(async () => {
    backends = await createBackends(config);
    processor = await startProcessor({ config, backends, logger, port: 0 });
    gateway = await startGateway({ config, backends, logger, port: 0 });
    monitor = await startMonitor({
      config,
      logger,
      port: 0,
      nodeUrls: [gateway.url, processor.url],
      bus: backends.bus,
      dashboardHtml,
      scrapeIntervalMs: 500,
    });
    sending = setInterval(() => {
      const body = Array.from({ length: 100 }, (_, i) =>
        JSON.stringify({
          id: randomUUID(),
          level: 'INFO',
          message: `m${i}`,
          source: 'dashboard-test',
          timestamp: Date.now(),
        }),
      ).join('\n');
      void fetch(`${gateway.url}/api/logs`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-ndjson' },
      }).catch(() => undefined);
    }, 50);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    clearInterval(sending);
    await browser?.close();
    await monitor?.close();
    await gateway?.close().catch(() => undefined);
    await processor?.close();
    await backends?.close();
  });

  it('shows live throughput, latency, nodes and charts, then a node going down with its bottleneck', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const failedRequests: string[] = [];
    page.on('requestfailed', (request) => failedRequests.push(request.url()));
    await page.goto(`${monitor.url}/`);
    // Expressions run in the page (strings, since the test itself has no DOM types).
    await page.waitForFunction("document.querySelector('#connection')?.textContent === 'live'", undefined, {
      timeout: 10_000,
    });
    await page.waitForFunction(
      "Number((document.querySelector('#eps')?.textContent ?? '0').replace(/,/g, '')) > 0",
      undefined,
      { timeout: 15_000 },
    );
    await page.waitForTimeout(3000);
    expect(await page.locator('#nodes tbody tr').count()).toBe(2);
    expect(await page.locator('#nodes .state-up').count()).toBe(2);
    expect(await page.locator('#latency tbody').innerText()).toContain('end-to-end');
    expect(await page.locator('canvas').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('#nodes-up').innerText()).toBe('2 / 2');
    mkdirSync('reports', { recursive: true });
    await page.screenshot({ path: 'reports/dashboard.png', fullPage: true });

    clearInterval(sending);
    await gateway.close();
    await page.waitForFunction("document.querySelector('#nodes .state-down') !== null", undefined, { timeout: 6000 });
    await page.waitForFunction(
      "(document.querySelector('#bottlenecks')?.textContent ?? '').includes('node-down')",
      undefined,
      { timeout: 6000 },
    );
    expect(await page.locator('#nodes-up').innerText()).toBe('1 / 2');
    await page.screenshot({ path: 'reports/dashboard-node-down.png', fullPage: true });
    // Everything the page needs is inline or from the monitor itself: no request leaves for the network.
    expect(failedRequests.filter((url) => !url.startsWith(monitor.url))).toEqual([]);
  }, 60_000);
});
