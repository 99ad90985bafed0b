// The `logperf` command as a user runs it: help, bad flags, and the embedded cluster end to end.
import { execFile } from 'node:child_process';
import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI_MAIN, startCli } from './cli-process.js';
import { sleep } from '@logperf/core';

const run = promisify(execFile);

/**
 * Posts a body the server may refuse from its Content-Length alone: headers go first, and the body follows
 * only if no answer came within 500 ms (a server that does read it then answers after it).
 */
function postOversized(url: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': bytes } },
      (res) => {
        clearTimeout(sendBody);
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error),
    );
    req.flushHeaders();
    const sendBody = setTimeout(() => req.end(Buffer.alloc(bytes, 'x')), 500);
  });
}
const cli = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI_MAIN, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe('logperf command line', () => {
  it('prints help for the tool and each command', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    for (const command of ['up', 'gateway', 'processor', 'loadgen', 'burst', 'ramp'])
      expect(help.stdout).toContain(command);
    const upHelp = await cli('up', '--help');
    expect(upHelp.stdout).toContain('--instances');
    expect(upHelp.stdout).toContain('LOGPERF_BUS');
  });

  it('refuses unknown commands, unknown flags and bad values with a clear message', async () => {
    expect((await cli('launch')).code).toBe(2);
    const flag = await cli('up', '--turbo');
    expect(flag.code).toBe(1);
    expect(flag.stderr).toMatch(/Unknown option '--turbo'/);
    const bus = await cli('up', '--bus', 'nats');
    expect(bus.code).toBe(1);
    expect(bus.stderr).toContain('LOGPERF_BUS / --bus');
    const instances = await cli('processor', '--instances', '0');
    expect(instances.stderr).toContain('--instances must be an integer from 1 to 64');
  });
});

describe('logperf burst --in-process', () => {
  it('runs the scaled-down seed burst, prints per-phase results, and exits by its thresholds (as k6)', async () => {
    const args = [
      'burst',
      '--in-process',
      '--baseline-rate',
      '300',
      '--burst-rate',
      '900',
      '--baseline',
      'PT1S',
      '--burst',
      'PT1S',
      '--batch-size',
      '20',
    ];
    const passing = await cli(...args, '--p99', '60000', '--error-rate', '0');
    expect(passing.code).toBe(0);
    expect(passing.stdout).toMatch(/^baseline\s+1\s+300\s+300/m);
    expect(passing.stdout).toMatch(/^burst\s+1\s+900\s+900/m);
    expect(passing.stdout).toContain('PASS p99Ms');
    expect(passing.stdout).toMatch(/end-to-end .* over 1,500 events/);
    const failing = await cli(...args, '--p99', '0.001');
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('FAIL p99Ms');
  }, 90_000);
});

describe('logperf up (embedded)', () => {
  it('ingests and stores events, rejects bad input without storing it, and drains on SIGTERM', async () => {
    const up = await startCli(
      [
        'up',
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
        '--instances',
        '2',
      ],
      { LOGPERF_LOG_LEVEL: 'warn' },
    );
    const { gateway, processor, monitor } = up.urls as { gateway: string; processor: string; monitor: string };
    const stored = async () =>
      ((await (await fetch(`${processor}/api/node/stats`)).json()) as { events: { total: number } }).events.total;
    const post = (body: string, type = 'application/x-ndjson') =>
      fetch(`${gateway}/api/logs`, { method: 'POST', body, headers: { 'content-type': type } });

    const events = Array.from({ length: 1000 }, (_, i) =>
      JSON.stringify({ id: randomUUID(), level: 'INFO', message: `m${i}`, source: 'cli-test', timestamp: Date.now() }),
    );
    for (let i = 0; i < events.length; i += 250)
      expect((await post(events.slice(i, i + 250).join('\n'))).status).toBe(202);

    expect((await post('{"id": nope', 'application/json')).status).toBe(400);
    expect(
      (
        await post(
          JSON.stringify([{ id: randomUUID(), level: 'LOUD', message: 'x', source: 's', timestamp: Date.now() }]),
          'application/json',
        )
      ).status,
    ).toBe(400);
    expect(await postOversized(`${gateway}/api/logs`, 10 * 1024 * 1024)).toBe(413);
    expect((await post(JSON.stringify(Array.from({ length: 100_000 }, () => ({}))), 'application/json')).status).toBe(
      413,
    );

    const deadline = Date.now() + 20_000;
    while ((await stored()) < 1000 && Date.now() < deadline) await sleep(50);
    expect(await stored()).toBe(1000);
    expect((await fetch(`${gateway}/health`)).status).toBe(200);
    expect((await fetch(`${processor}/health`)).status).toBe(200);
    const stats = (await (await fetch(`${processor}/api/node/stats`)).json()) as {
      processor: { stored: number; poison: number };
      latency: Record<string, { summary: { count: number } }>;
    };
    expect(stats.processor).toMatchObject({ stored: 1000, poison: 0 });
    expect(stats.latency['end-to-end']?.summary.count).toBe(1000);

    const monitorLatency = async () =>
      (
        (await (await fetch(`${monitor}/api/performance/latency?windowSeconds=300`)).json()) as {
          components: Record<string, { count: number }>;
        }
      ).components;
    const monitorDeadline = Date.now() + 10_000;
    while ((await monitorLatency())['end-to-end']?.count !== 1000 && Date.now() < monitorDeadline) await sleep(100);
    expect((await monitorLatency())['end-to-end']?.count).toBe(1000);
    const nodes = (
      (await (await fetch(`${monitor}/api/performance/metrics`)).json()) as { nodes: { role: string; up: boolean }[] }
    ).nodes;
    expect(nodes.map((n) => `${n.role}:${n.up}`).sort()).toEqual(['gateway:true', 'loadgen:true', 'processor:true']);

    expect(await up.stop('SIGTERM')).toBe(0);
  }, 60_000);
});
