import { createLogger, sleep } from '@logperf/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Bus } from '../src/backends/bus/bus.js';
import { createMemoryBus } from '../src/backends/bus/memory-bus.js';
import { buildGatewayApp } from '../src/gateway/gateway-app.js';
import { NodeRuntime } from '@logperf/platform';
import { makeEvent } from './events.js';

const logger = createLogger('gateway-test', 'silent');
const TOKEN = 'a-test-token-of-sufficient-length';

describe('gateway POST /api/logs', () => {
  let bus: Bus;
  let node: NodeRuntime;
  let app: ReturnType<typeof buildGatewayApp>;
  const backlog = async () => (await bus.lag('nobody')).reduce((sum, p) => sum + p.lag, 0);
  const post = (payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    app.inject({
      method: 'POST',
      url: '/api/logs',
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      headers,
    });

  beforeEach(() => {
    bus = createMemoryBus({ partitions: 6, maxBacklog: 1000 });
    node = new NodeRuntime('gateway-test', 'gateway', 'accepted');
    app = buildGatewayApp({ bus, node, logger });
  });
  afterEach(async () => {
    await app.close();
    node.stop();
    await bus.close();
  });

  it('accepts one event, an array and NDJSON, each only after the bus has it', async () => {
    expect((await post(makeEvent())).statusCode).toBe(202);
    const array = await post([
      makeEvent(),
      makeEvent({ timestamp: '2026-11-25T01:02:03.456Z', traceId: 't-1', attributes: { user: 'x', n: 1 } }),
    ]);
    expect(array.statusCode).toBe(202);
    expect(array.json()).toEqual({ accepted: 2 });
    const ndjson = `${JSON.stringify(makeEvent())}\n\n${JSON.stringify(makeEvent({ level: 'ERROR' }))}\n`;
    expect((await post(ndjson, { 'content-type': 'application/x-ndjson' })).json()).toEqual({ accepted: 2 });
    expect(await backlog()).toBe(5);
    expect(node.telemetry.eventsTotal('accepted')).toBe(5);
  });

  it('normalises ISO timestamps to epoch ms on the bus', async () => {
    const event = makeEvent({ timestamp: '2026-11-25T01:02:03.456+01:00' });
    await post(event);
    const seen: unknown[] = [];
    const consumer = await bus.consume({ groupId: 'g', maxBatchSize: 10, maxWaitMs: 5 }, async (records) => {
      seen.push(...records.map((r) => JSON.parse(r.value.toString()) as unknown));
    });
    await sleep(50);
    await consumer.close();
    expect(seen[0]).toMatchObject({ event: { id: event.id, timestamp: Date.UTC(2026, 10, 25, 0, 2, 3, 456) } });
    expect(seen[0]).toHaveProperty('acceptedAt');
  });

  it('puts an NDJSON line with an epoch timestamp on the bus as received, with the test id from the header', async () => {
    const line = JSON.stringify(makeEvent()).replace('{', '{ ');
    const res = await post(`${line}\n`, { 'content-type': 'application/x-ndjson', 'x-logperf-test-id': 'run-42' });
    expect(res.statusCode).toBe(202);
    const values: string[] = [];
    const consumer = await bus.consume({ groupId: 'g', maxBatchSize: 10, maxWaitMs: 5 }, async (records) => {
      values.push(...records.map((r) => r.value.toString()));
    });
    await sleep(50);
    await consumer.close();
    expect(values).toHaveLength(1);
    expect(values[0]).toContain(`"event":${line}}`);
    expect(JSON.parse(values[0]!)).toMatchObject({ testId: 'run-42' });
  });

  it('refuses a test id header that is not short and printable, accepting nothing', async () => {
    const res = await post(makeEvent(), { 'content-type': 'application/json', 'x-logperf-test-id': 'x'.repeat(65) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(await backlog()).toBe(0);
  });

  it.each([
    ['malformed JSON', '{"id": ', 'INVALID_JSON'],
    ['a JSON string', '"hello"', 'VALIDATION_FAILED'],
    ['an empty array', '[]', 'VALIDATION_FAILED'],
  ])('rejects %s with 400 and stores nothing', async (_name, body, code) => {
    const res = await post(body);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code } });
    expect(await backlog()).toBe(0);
  });

  it('names the index, field and reason of every invalid event, and accepts none of the batch', async () => {
    const res = await post([
      makeEvent(),
      makeEvent({ level: 'FATAL' }),
      makeEvent({ id: 'not-a-uuid', timestamp: 'yesterday' }),
      makeEvent({ message: 'x'.repeat(64 * 1024 + 1) }),
      makeEvent({ timestamp: 1e30 }),
      makeEvent({ source: 42, extra: true }),
    ]);
    expect(res.statusCode).toBe(400);
    const details = res.json<{ error: { details: { index: number; path: string }[] } }>().error.details;
    expect(details.map((d) => `${d.index}:${d.path}`)).toEqual(
      expect.arrayContaining(['1:level', '2:id', '2:timestamp', '3:message', '4:timestamp', '5:source', '5:']),
    );
    expect(details.some((d) => d.index === 0)).toBe(false);
    expect(await backlog()).toBe(0);
  });

  it('rejects a 10 MiB body with 413 and a 100k-element array with 413, and keeps serving', async () => {
    const huge = await post(JSON.stringify([makeEvent({ message: 'x'.repeat(10 * 1024 * 1024) })]));
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ error: { code: 'BODY_TOO_LARGE' } });
    const many = await post(JSON.stringify(Array.from({ length: 100_000 }, () => ({}))));
    expect(many.statusCode).toBe(413);
    expect(many.json()).toMatchObject({ error: { code: 'TOO_MANY_EVENTS', details: { count: 100_000 } } });
    expect(await backlog()).toBe(0);
    expect((await post(makeEvent())).statusCode).toBe(202);
  });

  it('rejects other content types with 415', async () => {
    const res = await post('id=1', { 'content-type': 'text/plain' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toMatchObject({ error: { code: 'UNSUPPORTED_MEDIA_TYPE' } });
  });

  it('answers 429 with Retry-After when the bus pushes back, and 503 when the bus is down', async () => {
    const full = await post(Array.from({ length: 1001 }, () => makeEvent()));
    expect(full.statusCode).toBe(429);
    expect(full.headers['retry-after']).toBe('1');
    await bus.close();
    const down = await post(makeEvent());
    expect(down.statusCode).toBe(503);
    expect(down.headers['retry-after']).toBe('1');
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(503);
  });

  it('serves /health, /metrics and /api/node/stats', async () => {
    await post([makeEvent(), makeEvent()]);
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toMatchObject({
      status: 'up',
      checks: { bus: 'ok' },
    });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/cluster_events_total\{stage="accepted",node="gateway-test",role="gateway"\} 2/);
    expect(metrics).toMatch(
      /cluster_latency_bucket\{le="0.5",node="gateway-test",role="gateway",component="api-gateway"\} 1/,
    );
    const stats = (await app.inject({ method: 'GET', url: '/api/node/stats' })).json<{
      events: { total: number };
      cpuPerEvent: { sinceStartUs: number | null; processRoles: string[] };
      latency: Record<string, { summary: { count: number } }>;
    }>();
    expect(stats.events.total).toBe(2);
    expect(stats.cpuPerEvent.sinceStartUs).toBeGreaterThan(0);
    expect(stats.cpuPerEvent.processRoles).toContain('gateway');
    expect(stats.latency['kafka-produce']?.summary.count).toBe(1);
  });
});

describe('gateway with an API token', () => {
  it('requires the bearer token on POST but not on GET', async () => {
    const bus = createMemoryBus();
    const node = new NodeRuntime('gateway-auth', 'gateway', 'accepted');
    const app = buildGatewayApp({ bus, node, logger, apiToken: TOKEN });
    const payload = JSON.stringify(makeEvent());
    const headers = { 'content-type': 'application/json' };
    expect((await app.inject({ method: 'POST', url: '/api/logs', payload, headers })).statusCode).toBe(401);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/logs',
          payload,
          headers: { ...headers, authorization: 'Bearer wrong' },
        })
      ).statusCode,
    ).toBe(401);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/api/logs',
          payload,
          headers: { ...headers, authorization: `Bearer ${TOKEN}` },
        })
      ).statusCode,
    ).toBe(202);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    await app.close();
    node.stop();
    await bus.close();
  });
});
