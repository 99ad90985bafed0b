// `logperf capacity` as a user runs it, on the embedded defaults: a short search, a table, a JSON knee curve and an offline chart.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI_MAIN } from './cli-process.js';

const run = promisify(execFile);

describe('logperf capacity', () => {
  it('searches the embedded cluster between two bounds and writes the knee curve', { timeout: 40_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'logperf-capacity-'));
    const args = [
      'capacity',
      '--low',
      '200',
      '--high',
      '800',
      '--resolution',
      '1000',
      '--step-seconds',
      '3',
      '--confirm-seconds',
      '3',
      '--warmup-seconds',
      '1',
      '--max-steps',
      '3',
      '--p99',
      '2000',
      '--report-dir',
      dir,
    ];
    const { stdout, stderr } = await run(process.execPath, [CLI_MAIN, ...args], { timeout: 38_000 });
    expect(stderr).toMatch(/^step 1: 200 events\/s for 3 s/m);
    expect(stdout).toMatch(/^1\s+step\s+200\s+200\s/m);
    expect(stdout).toMatch(/maximum sustainable rate: 800 events\/s \(confirmed; the high bound passed/);
    const files = readdirSync(dir).sort();
    expect(files.map((f) => f.split('.').pop())).toEqual(['html', 'json']);
    const report = JSON.parse(readFileSync(join(dir, files[1]!), 'utf8')) as {
      result: {
        maxSustainablePerSecond: number;
        steps: { ratePerSecond: number; acknowledged: number; lost: number; lagSamples: unknown[] }[];
      };
    };
    expect(report.result.maxSustainablePerSecond).toBe(800);
    expect(report.result.steps.map((s) => s.ratePerSecond)).toEqual([200, 800, 800]);
    expect(report.result.steps[1]).toMatchObject({ acknowledged: 3200, lost: 0 });
    expect(report.result.steps[1]!.lagSamples.length).toBeGreaterThanOrEqual(2);
    const html = readFileSync(join(dir, files[0]!), 'utf8');
    expect(html).toContain('new uPlot(');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });
});
