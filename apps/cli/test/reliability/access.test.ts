// Access: loopback by default; with LOGPERF_API_TOKEN every non-GET route of every service needs the bearer token;
// load targets off the allowlist are refused before any connection and redirects are not followed; SQL takes user
// input only as parameters (values round-trip verbatim through PostgreSQL); neither the token nor the database password is logged.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, loadConfig, sleep } from '@logperf/core';
import { createBackends, startGateway, startProcessor, type Backends } from '@logperf/cluster';
import { tokenMatches, type RunningRole } from '@logperf/platform';
import { startLoadgen } from '@logperf/loadgen';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeReal, postgresProbe, realServices } from '../../../../packages/cluster/test/real-services.js';
import { CLI_MAIN, startCli } from '../cli-process.js';
import { startServices, type StartedServices } from './services.js';

const TOKEN = `tok-${randomUUID()}`;
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

async function call(url: string, method: string, headers: Record<string, string> = {}, body?: string) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body ?? (SAFE.has(method) ? undefined : '{}'),
  });
  const text = await res.text();
  return { status: res.status, text };
}

/** A TCP listener that only counts the connections it is offered. */
async function trap(): Promise<{ port: number; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('bind address', () => {
  it('defaults to 127.0.0.1 in the configuration and on every started service', async () => {
    expect(loadConfig({ LOGPERF_PGLITE_DIR: 'memory://' }, {}).host).toBe('127.0.0.1');
    const started = await startServices();
    try {
      for (const s of started.services)
        expect({ service: s.name, address: (s.app.server.address() as AddressInfo).address }).toEqual({
          service: s.name,
          address: '127.0.0.1',
        });
    } finally {
      await started.close();
    }
  }, 60_000);
});

describe('with LOGPERF_API_TOKEN set', () => {
  let started: StartedServices;
  beforeAll(async () => {
    started = await startServices({ env: { LOGPERF_API_TOKEN: TOKEN } });
  }, 60_000);
  afterAll(() => started.close());

  const mutating = () =>
    started.services.flatMap((s) =>
      s.routes
        .filter((r) => !SAFE.has(r.method))
        .map((r) => ({ service: s, route: r, url: `${s.url}${r.url.replace(/:[A-Za-z]+/g, randomUUID())}` })),
    );

  it('finds every mutating route of the contract (so the loop below covers them)', () => {
    const names = mutating().map((m) => `${m.service.name} ${m.route.method} ${m.route.url}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'gateway POST /api/logs',
        'loadgen POST /api/loadtest/burst',
        'loadgen POST /api/loadtest/ramp',
        'loadgen POST /api/loadtest/:testId/stop',
        'monitor POST /api/performance/baseline',
        'monitor POST /api/performance/record',
        'monitor POST /api/performance/nodes',
      ]),
    );
  });

  it('answers 401 to every non-GET route of every service without the token, with a wrong one, or another scheme', async () => {
    const wrong: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TOKEN.replace(/.$/, (c) => (c === 'x' ? 'y' : 'x'))}` },
      { authorization: 'Bearer short' },
      { authorization: `Bearer ${TOKEN}${TOKEN}` },
      { authorization: `Basic ${TOKEN}` },
      { authorization: TOKEN },
      { authorization: 'Bearer ' },
    ];
    for (const { service, route, url } of mutating()) {
      for (const headers of wrong) {
        const res = await call(url, route.method, headers);
        expect({ route: `${service.name} ${route.method} ${route.url}`, headers, status: res.status }).toEqual({
          route: `${service.name} ${route.method} ${route.url}`,
          headers,
          status: 401,
        });
        expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      }
      const allowed = await call(url, route.method, { authorization: `Bearer ${TOKEN}` });
      expect({ route: `${service.name} ${route.method} ${route.url}`, status: allowed.status }).not.toEqual({
        route: `${service.name} ${route.method} ${route.url}`,
        status: 401,
      });
      // A bare start runs the seed's 5-minute scenario by design: stop it before the next route.
      const testId = allowed.status === 202 ? (JSON.parse(allowed.text) as { testId?: unknown }).testId : undefined;
      if (typeof testId === 'string')
        await call(`${service.url}/api/loadtest/${testId}/stop`, 'POST', { authorization: `Bearer ${TOKEN}` });
    }
  });

  it('refuses an unauthenticated 10 MiB ingest with 401 before reading it, and leaves GET routes open', async () => {
    const gateway = started.services.find((s) => s.name === 'gateway')!;
    const res = await call(`${gateway.url}/api/logs`, 'POST', {}, 'x'.repeat(10 * 1024 * 1024));
    expect(res.status).toBe(401);
    for (const s of started.services) expect((await call(`${s.url}/health`, 'GET')).status).toBe(200);
  });

  it('compares the token in constant time: SHA-256 digests of equal length through timingSafeEqual', () => {
    expect(tokenMatches(`Bearer ${TOKEN}`, TOKEN)).toBe(true);
    for (const header of [
      undefined,
      '',
      'Bearer',
      `Bearer ${TOKEN} `,
      `bearer ${TOKEN}`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${'x'.repeat(10_000)}`,
    ])
      expect(tokenMatches(header, TOKEN)).toBe(false);
    const source = readFileSync(join(ROOT, 'packages/platform/src/http/access.ts'), 'utf8');
    expect(source).toMatch(/timingSafeEqual\(digest\(presented\), digest\(token\)\)/);
    expect(source).toMatch(/createHash\('sha256'\)/);
  });
});

/** A raw request with the headers a browser page would send (fetch cannot set Host). */
async function raw(
  url: string,
  method: string,
  headers: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const { request } = await import('undici');
  const res = await request(url, {
    method: method as 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: SAFE.has(method) ? undefined : '{}',
  });
  return { status: res.statusCode, text: await res.body.text() };
}

describe('requests from browsers', () => {
  let started: StartedServices;
  beforeAll(async () => {
    started = await startServices({ env: { LOGPERF_ALLOWED_HOSTS: 'logperf.internal' } });
  }, 60_000);
  afterAll(() => started.close());

  it('refuses a foreign Host on every route of every service with 403 (DNS rebinding), and serves localhost, the bound address and configured names', async () => {
    for (const s of started.services) {
      const { port } = new URL(s.url);
      for (const route of s.routes) {
        const url = `${s.url}${route.url.replace(/:[A-Za-z]+/g, randomUUID())}`;
        const refused = await raw(url, route.method, { host: `attacker.example:${port}` });
        expect({ route: `${s.name} ${route.method} ${route.url}`, status: refused.status }).toEqual({
          route: `${s.name} ${route.method} ${route.url}`,
          status: 403,
        });
        expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'FORBIDDEN' } });
      }
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `logperf.internal:${port}`, 'LOCALHOST'])
        expect((await raw(`${s.url}/health`, 'GET', { host })).status, `${s.name} Host ${host}`).toBe(200);
    }
  });

  it('refuses a cross-origin POST to every mutating route with 403, and accepts a same-origin one', async () => {
    for (const s of started.services) {
      const { port } = new URL(s.url);
      for (const route of s.routes.filter((r) => !SAFE.has(r.method))) {
        const url = `${s.url}${route.url.replace(/:[A-Za-z]+/g, randomUUID())}`;
        for (const origin of ['http://attacker.example', `http://localhost:${Number(port) + 1}`, 'null']) {
          const refused = await raw(url, route.method, { origin });
          expect({ route: `${s.name} ${route.method} ${route.url}`, origin, status: refused.status }).toEqual({
            route: `${s.name} ${route.method} ${route.url}`,
            origin,
            status: 403,
          });
        }
      }
    }
    const monitor = started.services.find((s) => s.name === 'monitor')!;
    const sameOrigin = await raw(`${monitor.url}/api/performance/record?component=store&latencyMs=1`, 'POST', {
      origin: monitor.url,
    });
    expect(sameOrigin.status).toBe(202);
  });

  it('refuses to start bound to a non-loopback address without a token, naming LOGPERF_API_TOKEN', () => {
    expect(() => loadConfig({ LOGPERF_HOST: '0.0.0.0' }, {})).toThrow(/LOGPERF_API_TOKEN/);
    expect(() => loadConfig({ LOGPERF_HOST: '192.168.1.10' }, {})).toThrow(/not loopback/);
    expect(loadConfig({ LOGPERF_HOST: '0.0.0.0', LOGPERF_API_TOKEN: TOKEN }, {}).host).toBe('0.0.0.0');
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost'])
      expect(loadConfig({ LOGPERF_HOST: host }, {}).host).toBe(host);
  });
});

describe('load targets', () => {
  let backends: Backends;
  let loadgen: RunningRole;
  let forbidden: Awaited<ReturnType<typeof trap>>;
  let redirects = 0;
  const redirector = createHttpServer((req, res) => {
    redirects++;
    req.resume();
    res.writeHead(307, { location: `http://127.0.0.1:${forbidden.port}/api/logs` }).end();
  });
  let redirectorUrl = '';

  beforeAll(async () => {
    forbidden = await trap();
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
    backends = await createBackends(loadConfig({ LOGPERF_PGLITE_DIR: 'memory://' }, {}));
    loadgen = await startLoadgen({
      config: loadConfig({ LOGPERF_PGLITE_DIR: 'memory://' }, {}),
      logger: createLogger('access', 'silent'),
      port: 0,
      sql: backends.store.sql(),
      allowedTargets: [redirectorUrl],
      processorUrls: [],
    });
  }, 60_000);
  afterAll(async () => {
    await loadgen.close();
    await backends.close();
    await forbidden.close();
    await new Promise((resolve) => redirector.close(resolve));
  });

  const burst = (target: string) => ({
    testName: 'access',
    baselineRatePerSecond: 50,
    burstRatePerSecond: 50,
    baselineDuration: 'PT0.5S',
    burstDuration: 'PT0.5S',
    batchSize: 5,
    target,
  });

  it('refuses a target off the allowlist with 400, and nothing connects to it', async () => {
    const p = forbidden.port;
    const targets = [
      `http://127.0.0.1:${p}/api/logs`,
      `http://localhost:${p}/`,
      `http://127.1:${p}/`,
      `http://0x7f000001:${p}/`,
      `${redirectorUrl.replace('http://', 'http://x@')}:${p}/`.replace(/:(\d+):/, ':'),
      `http://${redirectorUrl.slice(7)}@127.0.0.1:${p}/`,
      `https://127.0.0.1:${p}/`,
      `ftp://127.0.0.1:${p}/`,
      `file:///etc/passwd`,
    ];
    for (const target of targets) {
      for (const kind of ['burst', 'ramp']) {
        const body =
          kind === 'burst'
            ? burst(target)
            : {
                testName: 'access',
                startRatePerSecond: 10,
                targetRatePerSecond: 20,
                rampDuration: 'PT1S',
                holdDuration: 'PT1S',
                target,
              };
        const res = await call(`${loadgen.url}/api/loadtest/${kind}`, 'POST', {}, JSON.stringify(body));
        expect({ target, status: res.status }).toEqual({ target, status: 400 });
        expect(res.text).toContain('target');
      }
    }
    await sleep(200);
    expect(forbidden.connections()).toBe(0);
  });

  it('does not follow a redirect from an allowed target to one that is not', async () => {
    const started = await call(
      `${loadgen.url}/api/loadtest/burst`,
      'POST',
      {},
      JSON.stringify(burst(`${redirectorUrl}/api/logs`)),
    );
    expect(started.status).toBe(202);
    const { testId } = JSON.parse(started.text) as { testId: string };
    let status = 'running';
    let result: { errors: Record<string, number>; acknowledged: number } | undefined;
    for (let i = 0; i < 100 && status === 'running'; i++) {
      await sleep(100);
      const body = JSON.parse((await call(`${loadgen.url}/api/loadtest/${testId}`, 'GET')).text) as {
        status: string;
        result?: typeof result;
      };
      status = body.status;
      result = body.result;
    }
    expect(status).toBe('completed');
    expect(redirects).toBeGreaterThan(0);
    expect(result?.acknowledged).toBe(0);
    expect(Object.keys(result?.errors ?? {})).toEqual(['http_307']);
    expect(forbidden.connections()).toBe(0);
  });
});

describe('SQL built only from parameters', () => {
  /** Template literals and concatenations in the sources that look like SQL and splice in anything but the checked table name. */
  function splicedSql(): { findings: string[]; sqlTexts: number } {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts')) files.push(path);
      }
    };
    for (const top of ['packages', 'services', 'apps'])
      for (const pkg of readdirSync(join(ROOT, top))) {
        try {
          walk(join(ROOT, top, pkg, 'src'));
        } catch {
          // a package without src/
        }
      }
    const sqlWord =
      /\b(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|TRUNCATE|DROP\s+TABLE|ALTER\s+TABLE)\b/;
    const findings: string[] = [];
    let sqlTexts = 0;
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const match of source.matchAll(/`([^`]*)`/g)) {
        const text = match[1] ?? '';
        if (!sqlWord.test(text)) continue;
        sqlTexts++;
        for (const [, expr] of text.matchAll(/\$\{([^}]*)\}/g))
          if (!/^(t|checkTable\(table\))$/.test((expr ?? '').trim()))
            findings.push(`${file.slice(ROOT.length)}: \${${expr}} in ${text.slice(0, 60)}`);
      }
      for (const match of source.matchAll(/(['"])([^'"\n]*)\1\s*\+/g))
        if (sqlWord.test(match[2] ?? ''))
          findings.push(`${file.slice(ROOT.length)}: concatenated SQL ${match[0].slice(0, 60)}`);
    }
    return { findings, sqlTexts };
  }

  it('splices no value into SQL text: only the store table, validated as a plain identifier', () => {
    const { findings, sqlTexts } = splicedSql();
    expect(sqlTexts).toBeGreaterThan(10); // the scan reads the store, results and history SQL
    expect(findings).toEqual([]);
  });
});

describeReal('injection strings and secrets against PostgreSQL', postgresProbe, () => {
  const table = `log_events_access_${Date.now()}_${process.pid}`;
  const db = new pg.Pool({ connectionString: realServices.databaseUrl, max: 1 });
  afterAll(async () => {
    await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.end();
  });

  it('stores SQL-injection strings in every text field verbatim, and the table survives', async () => {
    const config = loadConfig({ LOGPERF_STORE: 'postgres', LOGPERF_STORE_TABLE: table }, {});
    const backends = await createBackends(config);
    const logger = createLogger('access', 'silent');
    const processor = await startProcessor({ config, backends, logger, port: 0 });
    const gateway = await startGateway({ config, backends, logger, port: 0 });
    try {
      const payloads = [
        "'; DROP TABLE " + table + '; --',
        "x' OR '1'='1",
        "Robert'); DELETE FROM log_events; --",
        '$1',
        '\\x00\\',
        "E'\\\\'",
        '$$; SELECT pg_sleep(5); $$',
        '"; TRUNCATE ' + table + ' CASCADE; --',
        'ünïcödé 🎉',
      ];
      const events = payloads.map((p, i) => ({
        id: randomUUID(),
        level: 'WARN',
        message: p,
        source: p.slice(0, 256),
        timestamp: Date.now(),
        traceId: p.slice(0, 128),
        attributes: { [p.slice(0, 200) || 'k']: p, n: i },
      }));
      const res = await fetch(`${gateway.url}/api/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(events),
      });
      expect(res.status).toBe(202);
      let stored = await backends.store.fetchByIds(events.map((e) => e.id));
      for (let i = 0; i < 100 && stored.length < events.length; i++) {
        await sleep(100);
        stored = await backends.store.fetchByIds(events.map((e) => e.id));
      }
      const byId = new Map(stored.map((s) => [s.id, s]));
      for (const e of events)
        expect(byId.get(e.id)).toMatchObject({
          message: e.message,
          source: e.source,
          traceId: e.traceId,
          attributes: e.attributes,
        });
      expect((await backends.store.counts()).rows).toBe(events.length);
    } finally {
      await gateway.close();
      await processor.close();
      await backends.close();
    }
  }, 60_000);

  it('never writes the API token or the database password to its logs, at debug level, whatever it is sent', async () => {
    const password = `pw-${randomUUID()}`;
    const url = new URL(realServices.databaseUrl);
    url.password = password;
    const env = {
      LOGPERF_API_TOKEN: TOKEN,
      LOGPERF_DATABASE_URL: url.toString(),
      LOGPERF_STORE: 'postgres',
      LOGPERF_STORE_TABLE: table,
      LOGPERF_LOG_LEVEL: 'debug',
    };
    const up = await startCli(
      ['up', '--gateway-port', '0', '--processor-port', '0', '--loadgen-port', '0', '--monitor-port', '0'],
      env,
    );
    try {
      const gateway = up.urls.gateway!;
      await call(
        `${gateway}/api/logs`,
        'POST',
        { authorization: `Bearer ${TOKEN}` },
        JSON.stringify({ id: randomUUID(), level: 'INFO', message: TOKEN, source: 's', timestamp: Date.now() }),
      );
      await call(`${gateway}/api/logs`, 'POST', { authorization: `Bearer ${TOKEN}x` }, '{}');
      await call(`${gateway}/api/logs`, 'POST', { authorization: `Bearer ${TOKEN}` }, '{"id": ');
      await call(
        `${up.urls.loadgen!}/api/loadtest/burst`,
        'POST',
        { authorization: `Bearer ${TOKEN}` },
        JSON.stringify({ testName: TOKEN, target: `http://127.0.0.1:1/?token=${TOKEN}` }),
      );
      await call(`${up.urls.monitor!}/api/performance/record?component=a&latencyMs=x`, 'POST', {
        authorization: `Bearer ${TOKEN}`,
      });
    } finally {
      await up.stop('SIGTERM');
    }
    const output = up.output();
    expect(output.length).toBeGreaterThan(100);
    expect(output).not.toContain(password);
    // The token may appear only where a client put it into event data or a request body, which the services never log.
    expect(output).not.toContain(TOKEN);

    // A processor that cannot reach its database says so, without the password in the URL it was given.
    const bad = new URL(url.toString());
    bad.port = '1';
    const child = spawn(process.execPath, [CLI_MAIN, 'processor', '--port', '0'], {
      env: { ...process.env, ...env, LOGPERF_DATABASE_URL: bad.toString() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let failedOutput = '';
    child.stdout.on('data', (c: Buffer) => (failedOutput += c.toString()));
    child.stderr.on('data', (c: Buffer) => (failedOutput += c.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 20_000);
    await new Promise((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    expect(failedOutput.length).toBeGreaterThan(0);
    expect(failedOutput).not.toContain(password);
  }, 90_000);
});
