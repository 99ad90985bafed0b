// Bad input everywhere: fast-check throws malformed JSON, wrong types, huge numbers, NaN, negative durations, deep nesting,
// unicode and lone surrogates, 10 MiB bodies, wrong content types, odd paths and odd methods at every route of every
// service (found from the apps themselves). Never a 5xx, never a crash; every error is our JSON shape, and a bad field is named.
// Seed: LOGPERF_FUZZ_SEED (default fixed); fast-check prints the seed and the shrunk counterexample on failure.
import { connect } from 'node:net';
import { ERROR_CATALOGUE, logEventSchema, sleep } from '@logperf/core';
import { burstRequestSchema } from '@logperf/loadgen';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices, type StartedService, type StartedServices } from './services.js';

const SEED = Number(process.env.LOGPERF_FUZZ_SEED ?? '20261125');
const RUNS = Number(process.env.LOGPERF_FUZZ_RUNS ?? '150');
const dispatcher = new Agent({ connections: 16, headersTimeout: 30_000, bodyTimeout: 30_000 });
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

interface Answer {
  status: number;
  contentType: string;
  text: string;
}

async function send(
  baseUrl: string,
  method: string,
  path: string,
  body?: string | Buffer,
  contentType?: string,
): Promise<Answer> {
  const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
  const res = await request(`${baseUrl}${path}`, { method: method as 'GET', body, headers, dispatcher });
  const text = await res.body.text();
  return { status: res.statusCode, contentType: String(res.headers['content-type'] ?? ''), text };
}

/** The rule every answer obeys: no 5xx; an error is `{error: {code, message, details?}}` with the code's own status; validation details name a field. */
function checkAnswer(answer: Answer, what: string): void {
  const context = `${what} → ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, context).toBeLessThan(500);
  if (answer.status < 400) return;
  expect(answer.contentType, context).toMatch(/^application\/json/);
  const body = JSON.parse(answer.text) as { error?: { code?: string; message?: string; details?: unknown } };
  const code = body.error?.code as keyof typeof ERROR_CATALOGUE | undefined;
  expect(code && ERROR_CATALOGUE[code], context).toBeTruthy();
  expect(ERROR_CATALOGUE[code!].status, context).toBe(answer.status);
  expect(typeof body.error?.message === 'string' && body.error.message.length > 0, context).toBe(true);
  if (code === 'VALIDATION_FAILED' && Array.isArray(body.error?.details)) {
    for (const d of body.error.details as { path?: unknown; reason?: unknown }[]) {
      expect(typeof d.path, context).toBe('string');
      expect(typeof d.reason === 'string' && d.reason.length > 0, context).toBe(true);
    }
  }
}

// ── generators ──────────────────────────────────────────────────────────────────────────────────────────────
const loneSurrogate = fc.constantFrom('\ud800', '\udfff', 'a\ud83dz', '\udc00\ud800');
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  loneSurrogate,
  fc.constantFrom(
    'NaN',
    'Infinity',
    '-Infinity',
    '-1',
    '1e309',
    '-0',
    '0x10',
    ' 5 ',
    '',
    '\u0000',
    '../../etc/passwd',
    '%00',
    'PT-1S',
    '-PT5S',
    "'; DROP TABLE log_events; --",
    '{"$gt":""}',
  ),
);
const hugeNumber = fc.oneof(
  fc.double(),
  fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, -1, -0.5, 5e-324, 2 ** 64),
  fc.bigInt().map((b) => Number(b)),
);
const jsonish = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(nastyString, fc.oneof(nastyString, hugeNumber, fc.boolean(), fc.constant(null)), { maxKeys: 6 }),
);
/** A body: JSON of a generated value, JSON text spliced with bare NaN/Infinity or truncated, raw bytes, or nothing. */
const bodyArb = fc.oneof(
  jsonish.map((v) => JSON.stringify(v)),
  jsonish.map((v) => JSON.stringify(v).replace(/\d+(\.\d+)?/, 'NaN')),
  jsonish.map((v) => JSON.stringify(v).replace(/\d+(\.\d+)?/, '-Infinity')),
  jsonish.map((v) => JSON.stringify(v).slice(0, -1)),
  fc.array(jsonish, { maxLength: 5 }).map((lines) => lines.map((l) => JSON.stringify(l)).join('\n')),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d])), // {"a":"<CESU surrogate bytes>"}
  fc.constant(undefined),
);
const contentTypeArb = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/x-ndjson',
  'application/ndjson',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  '*/*',
  'garbage',
  undefined,
);
/** Path parameter values: nasty strings, traversal, NUL, very long, percent-encoded. */
const segmentArb = fc.oneof(
  fc.uuid(),
  nastyString,
  fc.constantFrom('..', '%2e%2e', '%00', '%ff', '%', 'a'.repeat(4000), '00000000-0000-0000-0000-000000000000'),
);
const queryArb = fc.dictionary(
  fc.constantFrom(
    'windowSeconds',
    'durationMinutes',
    'component',
    'latencyMs',
    'limit',
    'offset',
    'baseline',
    'targetRatePerSecond',
    'testId',
    'tests',
    'days',
    'x',
  ),
  fc.oneof(nastyString, hugeNumber.map(String)),
  { maxKeys: 4 },
);

/** Percent-encodes, keeping a lone surrogate as its (invalid) UTF-8 bytes so the server sees one. */
const encode = (s: string) =>
  s.isWellFormed() ? encodeURIComponent(s) : `${encodeURIComponent(s.toWellFormed())}%ED%A0%80`;
const encodeSegment = (s: string) => (/^%|^\.\.$/.test(s) ? s : encode(s));
const withParams = (url: string, value: string) => url.replace(/:[A-Za-z]+/g, encodeSegment(value));
const queryString = (q: Record<string, string>) =>
  Object.keys(q).length === 0
    ? ''
    : `?${Object.entries(q)
        .map(([k, v]) => `${k}=${encode(v)}`)
        .join('&')}`;

describe('fuzz: every route of every service', () => {
  let started: StartedServices;

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    started = await startServices();
  }, 120_000);
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    process.off('uncaughtException', onUnhandled);
    await started.close();
    await dispatcher.close();
    expect(unhandled).toEqual([]);
  });

  const service = (name: string): StartedService => started.services.find((s) => s.name === name)!;
  const fuzzable = (s: StartedService) => s.routes.filter((r) => r.url !== '/api/performance/stream'); // a never-ending SSE stream: checked on its own

  it('finds the routes of the DESIGN.md contract on each service', () => {
    const all = started.services.flatMap((s) => s.routes.map((r) => `${s.name} ${r.method} ${r.url}`));
    console.log(`fuzzing ${all.length} routes of ${started.services.map((s) => s.name).join(', ')}`);
    expect(all).toEqual(
      expect.arrayContaining([
        'gateway POST /api/logs',
        'gateway GET /health',
        'gateway GET /metrics',
        'gateway GET /api/node/stats',
        'processor GET /health',
        'loadgen POST /api/loadtest/burst',
        'loadgen POST /api/loadtest/ramp',
        'loadgen GET /api/loadtest/:testId',
        'loadgen POST /api/loadtest/:testId/stop',
        'loadgen GET /api/results/latest',
        'loadgen GET /api/results',
        'loadgen GET /api/results/:testId',
        'monitor GET /api/performance/metrics',
        'monitor GET /api/performance/latency',
        'monitor GET /api/performance/bottlenecks',
        'monitor POST /api/performance/baseline',
        'monitor GET /api/performance/report',
        'monitor POST /api/performance/record',
        'monitor GET /metrics',
        'analyzer GET /api/analysis/metrics',
        'analyzer GET /api/analysis/bottlenecks',
        'analyzer GET /api/analysis/capacity',
        'analyzer GET /api/analysis/recommendations',
        'analyzer POST /api/analysis/compare',
      ]),
    );
  });

  it('answers every generated request to every route without a 5xx, in the error shape', async () => {
    for (const s of started.services) {
      for (const route of fuzzable(s)) {
        await fc.assert(
          fc.asyncProperty(segmentArb, queryArb, bodyArb, contentTypeArb, async (segment, query, body, contentType) => {
            const path = withParams(route.url, segment) + queryString(query);
            const sendBody = route.method === 'GET' ? undefined : body;
            const answer = await send(
              s.url,
              route.method,
              path,
              sendBody,
              sendBody === undefined ? undefined : contentType,
            );
            checkAnswer(answer, `${s.name} ${route.method} ${path}`);
            // A bare start (no body, `{}`) runs the seed's 5-minute scenario by design: stop what the fuzzer started.
            const started =
              answer.status === 202 ? (JSON.parse(answer.text) as { testId?: unknown }).testId : undefined;
            if (typeof started === 'string') await send(s.url, 'POST', `/api/loadtest/${started}/stop`);
          }),
          { seed: SEED, numRuns: RUNS, endOnFailure: true },
        );
      }
    }
  }, 600_000);

  it('answers odd methods, odd paths and unknown routes with a JSON 4xx', async () => {
    const methods = fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'PROPFIND', 'GET', 'POST');
    const oddPath = fc.oneof(
      fc.constantFrom(
        '/../../etc/passwd',
        '/api/%00',
        '/api/logs%00',
        '/api/..%2f..%2fsecret',
        '//api//logs',
        '/api/logs/',
        '/%ff',
        '/%',
        '/api/loadtest/%2e%2e',
        `/${'a'.repeat(8000)}`,
        '/api/results?limit=1&limit=2',
        '/?%zz',
      ),
      fc.webPath().map((p) => p || '/'),
    );
    for (const s of started.services) {
      await fc.assert(
        fc.asyncProperty(methods, oddPath, async (method, path) => {
          const known = s.routes.some((r) => r.method === method && r.url === path.split('?')[0]);
          if (known || method === 'TRACE') return; // undici refuses to send TRACE with a body; a known route is fuzzed above
          checkAnswer(await send(s.url, method, path), `${s.name} ${method} ${path}`);
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    }
  }, 120_000);

  it('refuses 10 MiB bodies, 10,000- and 1,000,000-deep nesting and non-JSON types on every POST route, then still serves', async () => {
    const tenMiB = Buffer.alloc(10 * 1024 * 1024, 0x61);
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const nestedObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    for (const s of started.services) {
      for (const route of s.routes.filter((r) => r.method === 'POST')) {
        const path = withParams(route.url, '00000000-0000-4000-8000-000000000000');
        const what = `${s.name} POST ${path}`;
        const big = await send(
          s.url,
          'POST',
          path,
          Buffer.concat([Buffer.from('{"x":"'), tenMiB, Buffer.from('"}')]),
          'application/json',
        );
        checkAnswer(big, `${what} 10 MiB`);
        expect(big.status, what).toBe(413);
        for (const body of [nested(10_000), nestedObject(10_000), nested(1_000_000)]) {
          const answer = await send(s.url, 'POST', path, body, 'application/json');
          checkAnswer(answer, `${what} nesting ${body.length / 2}`);
          expect(answer.status, what).toBeGreaterThanOrEqual(400);
        }
        checkAnswer(await send(s.url, 'POST', path, nested(100_000), 'application/x-ndjson'), `${what} ndjson nesting`);
        const xml = await send(s.url, 'POST', path, '<event/>', 'application/xml');
        checkAnswer(xml, `${what} xml`);
        expect(xml.status, what).toBe(415);
      }
      expect((await send(s.url, 'GET', '/health')).status).toBeLessThan(500);
    }
  }, 120_000);

  it('answers bytes that are not HTTP, and a request line over the header limit, with a JSON 4xx', async () => {
    for (const s of started.services) {
      const { port } = new URL(s.url);
      for (const raw of [
        'GET /health\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
        `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
        'BLAH\r\n\r\n',
        'POST /api/logs HTTP/1.1\r\nContent-Length: -1\r\n\r\n',
      ]) {
        const reply = await new Promise<string>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () => socket.write(raw));
          let data = '';
          socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
          socket.on('end', () => resolve(data));
          socket.on('error', reject);
          socket.setTimeout(5000, () => socket.destroy(new Error('no answer in 5 s')));
        });
        const [head = '', body = ''] = reply.split('\r\n\r\n');
        const status = Number(head.split(' ')[1]);
        checkAnswer(
          { status, contentType: /content-type: ([^\r\n]+)/i.exec(head)?.[1] ?? '', text: body },
          `${s.name} raw ${JSON.stringify(raw.slice(0, 40))}`,
        );
        expect(status).toBeGreaterThanOrEqual(400);
      }
    }
  });

  it('the gateway accepts exactly the events the schema accepts, and names the index and field of every bad one', async () => {
    const gateway = service('gateway');
    const fields = ['id', 'level', 'message', 'source', 'timestamp', 'traceId', 'attributes', 'extra'] as const;
    const badValue = fc.oneof(
      nastyString,
      hugeNumber,
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
      fc.dictionary(nastyString, nastyString, { maxKeys: 2 }),
      fc.constant('x'.repeat(70_000)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uuid({ version: 4 }),
        fc.constantFrom(...fields),
        badValue,
        fc.constantFrom('application/json', 'application/x-ndjson'),
        async (id, field, value, contentType) => {
          const event: Record<string, unknown> = {
            id,
            level: 'INFO',
            message: 'fuzz',
            source: 'fuzz',
            timestamp: Date.now(),
            [field]: value,
          };
          const answer = await send(gateway.url, 'POST', '/api/logs', JSON.stringify(event), contentType);
          checkAnswer(answer, `event with ${field}=${JSON.stringify(value)?.slice(0, 80)}`);
          if (logEventSchema.safeParse(event).success) {
            expect(answer.status).toBe(202);
          } else {
            expect(answer.status).toBe(400);
            const details = (JSON.parse(answer.text) as { error: { details: { index: number; path: string }[] } }).error
              .details;
            expect(
              details.some(
                (d) =>
                  d.index === 0 &&
                  (d.path === field || (field === 'extra' && d.path === '') || d.path.startsWith(`${field}.`)),
              ),
            ).toBe(true);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS * 2 },
    );
  }, 120_000);

  it('the load generator refuses each bad field of a burst with 400 naming it, and starts nothing', async () => {
    const loadgen = service('loadgen');
    const base = {
      testName: 'fuzz',
      baselineRatePerSecond: 10,
      burstRatePerSecond: 20,
      baselineDuration: 'PT1S',
      burstDuration: 'PT1S',
      recoveryDuration: 'PT1S',
      batchSize: 10,
    };
    const badByField: Record<string, fc.Arbitrary<unknown>> = {
      testName: fc.oneof(
        fc.constant(''),
        fc.constant('   '),
        fc.integer(),
        fc.constant('x'.repeat(201)),
        fc.constant(null),
      ),
      baselineRatePerSecond: fc.oneof(
        fc.constantFrom(0, -1, 1e7, 'NaN', 'Infinity', '100', null),
        fc.double({ max: 0, noNaN: true }),
      ),
      burstRatePerSecond: fc.oneof(
        fc.constantFrom(0, -5, 2e6, 'NaN', true),
        fc.double({ min: 1_000_001, noNaN: true }),
      ),
      baselineDuration: fc.constantFrom(
        'PT-1S',
        '-PT5S',
        'PT0S',
        '60s',
        'P',
        'PT',
        'PT25H',
        'P2D',
        5,
        'NaN',
        '',
        'PT1e3S',
      ),
      burstDuration: fc.oneof(
        nastyString.filter((s) => !/^P/.test(s)),
        fc.integer(),
      ),
      recoveryDuration: fc.constantFrom('PT-0S', 'PT1M1H', 'PT100000H', null, -1),
      batchSize: fc.constantFrom(0, -1, 1.5, 10_001, 'ten', 1e308),
      thresholds: fc.constantFrom({ p99Ms: -1 }, { errorRate: 2 }, { p95Ms: 'NaN' }, { unknown: 1 }, 'strict', []),
      target: fc.constantFrom(
        'http://example.com/api/logs',
        'http://127.0.0.1:1/api/logs',
        'file:///etc/passwd',
        'ftp://127.0.0.1/',
        'not a url',
        'javascript:alert(1)',
        'http://[::1]:8090/',
      ),
    };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...Object.keys(badByField)).chain((field) => fc.tuple(fc.constant(field), badByField[field]!)),
        async ([field, value]) => {
          const body = { ...base, [field]: value };
          expect(burstRequestSchema.safeParse(body).success && field !== 'target').toBe(false);
          const requestsBefore = started.sink.requests();
          const answer = await send(
            loadgen.url,
            'POST',
            '/api/loadtest/burst',
            JSON.stringify(body),
            'application/json',
          );
          checkAnswer(answer, `burst with ${field}=${JSON.stringify(value)}`);
          expect(answer.status).toBe(400);
          expect(answer.text).toContain(field);
          expect(started.sink.requests()).toBe(requestsBefore);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);

  it('the monitor refuses each bad query value with 400 naming the parameter', async () => {
    const monitor = service('monitor');
    const badNumber = fc.oneof(
      fc.constantFrom('NaN', 'Infinity', '-Infinity', '-1', '1e309', 'abc', '1.5e', '0x', ' ', '-0.001'),
      nastyString.filter((s) => !/^\s*\d/.test(s) && s.trim() !== ''),
    );
    const cases: [string, (v: string) => string, string][] = [
      ['latencyMs', (v) => `/api/performance/record?component=api-gateway&latencyMs=${encode(v)}`, 'POST'],
      ['component', (v) => `/api/performance/record?component=${encode(`${v}!/`)}&latencyMs=5`, 'POST'],
      ['durationMinutes', (v) => `/api/performance/report?durationMinutes=${encode(v)}`, 'GET'],
      ['windowSeconds', (v) => `/api/performance/latency?windowSeconds=${encode(v)}`, 'GET'],
      ['windowSeconds', (v) => `/api/performance/bottlenecks?windowSeconds=${encode(v)}`, 'GET'],
    ];
    for (const [param, path, method] of cases) {
      await fc.assert(
        fc.asyncProperty(badNumber, async (value) => {
          const answer = await send(monitor.url, method, path(value));
          checkAnswer(answer, `${method} ${path(value)}`);
          expect(answer.status, `${param}=${value}`).toBe(400);
          expect(answer.text).toContain(param);
        }),
        { seed: SEED, numRuns: Math.ceil(RUNS / 3) },
      );
    }
  }, 120_000);

  it('refuses NUL, lone surrogates and over-long text in every free-text field with 400 naming it', async () => {
    const text = fc.constantFrom('a\u0000b', '\u0000', 'x\ud800', '\udfffy', 'z'.repeat(5000));
    const analyzer = service('analyzer');
    const monitor = service('monitor');
    const loadgen = service('loadgen');
    await fc.assert(
      fc.asyncProperty(text, async (value) => {
        const cases: [string, string, string, string | undefined, string][] = [
          [analyzer.url, 'GET', `/api/analysis/bottlenecks?testId=${encode(value)}`, undefined, 'testId'],
          [analyzer.url, 'GET', `/api/analysis/recommendations?testId=${encode(value)}`, undefined, 'testId'],
          [analyzer.url, 'GET', `/api/analysis/metrics?testId=${encode(value)}`, undefined, 'testId'],
          [
            analyzer.url,
            'POST',
            '/api/analysis/compare',
            JSON.stringify({ baselineTestId: value, candidateTestId: 'b' }),
            'baselineTestId',
          ],
          [monitor.url, 'GET', `/api/performance/report?baseline=${encode(value)}`, undefined, 'baseline'],
          [monitor.url, 'POST', '/api/performance/baseline', JSON.stringify({ name: value }), 'name'],
          [
            loadgen.url,
            'POST',
            '/api/loadtest/burst',
            JSON.stringify({
              testName: value,
              baselineRatePerSecond: 1,
              burstRatePerSecond: 1,
              baselineDuration: 'PT1S',
              burstDuration: 'PT1S',
            }),
            'testName',
          ],
        ];
        for (const [url, method, path, body, field] of cases) {
          // A lone surrogate cannot travel in a URL (its UTF-8 bytes are invalid and decode to U+FFFD); JSON carries it.
          if (body === undefined && !value.isWellFormed()) continue;
          const answer = await send(url, method, path, body, body === undefined ? undefined : 'application/json');
          checkAnswer(answer, `${method} ${path}`);
          expect(answer.status, `${method} ${path}`).toBe(400);
          expect(answer.text).toContain(field);
        }
      }),
      { seed: SEED, numRuns: 20 },
    );
  }, 120_000);

  it('after all of the above, a normal test runs and passes, and every service still answers', async () => {
    const loadgen = service('loadgen');
    const begun = await send(
      loadgen.url,
      'POST',
      '/api/loadtest/burst',
      JSON.stringify({
        testName: 'after the fuzz',
        baselineRatePerSecond: 100,
        burstRatePerSecond: 200,
        baselineDuration: 'PT0.5S',
        burstDuration: 'PT0.5S',
        recoveryDuration: 'PT0.5S',
        batchSize: 10,
      }),
      'application/json',
    );
    expect(begun.status, begun.text).toBe(202);
    const { testId } = JSON.parse(begun.text) as { testId: string };
    let result: { status: string; passed: boolean | null; result: { acknowledged: number } } | undefined;
    for (let i = 0; i < 60 && result?.status !== 'completed'; i++) {
      await sleep(250);
      result = JSON.parse((await send(loadgen.url, 'GET', `/api/results/${testId}`)).text) as typeof result;
    }
    expect(result).toMatchObject({ status: 'completed', passed: true, result: { acknowledged: 200 } });
    for (const s of started.services) expect((await send(s.url, 'GET', '/health')).status, s.name).toBe(200);
  }, 60_000);

  it('the live stream answers 200 text/event-stream and ignores a body and a query', async () => {
    const monitor = service('monitor');
    const controller = new AbortController();
    const res = await request(`${monitor.url}/api/performance/stream?x=%00`, {
      method: 'GET',
      signal: controller.signal,
      dispatcher,
    });
    expect(res.statusCode).toBe(200);
    expect(String(res.headers['content-type'])).toMatch(/^text\/event-stream/);
    controller.abort();
    await res.body.text().catch(() => undefined);
  });
});
