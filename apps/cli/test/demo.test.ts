// `logperf demo --once` (what `npm start -- --once` runs): a finished test, a summary, and a report a browser can open offline.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CLI_MAIN } from './cli-process.js';

const CHROMIUM = '/usr/bin/chromium';
const run = promisify(execFile);

describe('logperf demo --once', () => {
  it('runs a burst on the embedded system and writes a JSON and an offline HTML report with charts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logperf-demo-'));
    const ports = [
      '--gateway-port',
      '0',
      '--processor-port',
      '0',
      '--loadgen-port',
      '0',
      '--monitor-port',
      '0',
      '--analyzer-port',
      '0',
    ];
    const { stdout } = await run(
      process.execPath,
      [
        CLI_MAIN,
        'demo',
        '--once',
        ...ports,
        '--baseline-rate',
        '200',
        '--burst-rate',
        '600',
        '--baseline',
        'PT1S',
        '--burst',
        'PT1S',
        '--report-dir',
        dir,
      ],
      { timeout: 90_000 },
    );
    expect(stdout).toMatch(/^burst\s+1\s+600\s+600/m);
    expect(stdout).toContain('PASS errorRate');
    expect(stdout).toMatch(/^dashboard\s+http:\/\/127\.0\.0\.1:\d+\//m);
    const files = readdirSync(dir).sort();
    expect(files.map((f) => f.split('.').pop())).toEqual(['html', 'json']);
    const report = JSON.parse(readFileSync(join(dir, files[1]!), 'utf8')) as {
      result: { intended: number; acknowledged: number; phases: unknown[] };
      bottlenecks: unknown[];
      analysis: { summary: string } | null;
    };
    expect(report.result).toMatchObject({ intended: 1000, acknowledged: 1000 });
    expect(report.result.phases).toHaveLength(3);
    expect(Array.isArray(report.bottlenecks)).toBe(true);
    expect(report.analysis?.summary).toMatch(/left its floor|stayed near its floor/);

    if (!existsSync(CHROMIUM)) {
      if (process.env.CI === 'true') throw new Error(`Chromium is not installed at ${CHROMIUM}`);
      return;
    }
    const browser = await chromium.launch({
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
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(`file://${join(dir, files[0]!)}`);
      await page.waitForSelector('canvas');
      expect(await page.locator('canvas').count()).toBe(2);
      expect(await page.locator('h1').innerText()).toMatch(/demo-burst passed/);
      expect(requests.every((url) => url.startsWith('file://'))).toBe(true);
      await page.screenshot({ path: 'reports/demo-report.png', fullPage: true });
    } finally {
      await browser.close();
    }
  }, 120_000);
});
