// The shared HTTP base: a database failure is a 503 to retry, not a 500; a handler that hangs is answered 503 in time.
import { createLogger } from '@logperf/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../src/http/http-app.js';

const logger = createLogger('http-app-test', 'silent');

describe('createHttpApp', () => {
  const apps: ReturnType<typeof createHttpApp>[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  it('answers a database error (SQLSTATE and severity) or a lost connection with 503 and Retry-After', async () => {
    const app = createHttpApp({ logger });
    apps.push(app);
    app.get('/sql', async () => {
      await Promise.resolve();
      throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
        code: '22021',
        severity: 'ERROR',
      });
    });
    app.get('/gone', async () => {
      await Promise.resolve();
      throw new Error('Connection terminated unexpectedly');
    });
    app.get('/bug', async () => {
      await Promise.resolve();
      throw new TypeError('x is undefined');
    });
    for (const url of ['/sql', '/gone']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json()).toMatchObject({ error: { code: 'BACKEND_UNAVAILABLE' } });
    }
    expect((await app.inject({ url: '/bug' })).statusCode).toBe(500);
  });

  it('answers 503 when a handler has not answered within its deadline', async () => {
    const app = createHttpApp({ logger, handlerTimeoutMs: 200 });
    apps.push(app);
    app.get('/hang', () => new Promise(() => undefined));
    const started = Date.now();
    const res = await app.inject({ url: '/hang' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ error: { code: 'SERVER_BUSY' } });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
