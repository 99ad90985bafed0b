// listen(): the URL it returns is the one the app answers on, for an IPv4 and an IPv6 host and for port 0.
import { createLogger } from '@logperf/core';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../src/http/http-app.js';
import { listen } from '../src/http/listen.js';

describe('listen', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  const serve = () => {
    const app = createHttpApp({ logger: createLogger('listen-test', 'silent') });
    app.get('/where', async () => ({ ok: true }));
    apps.push(app);
    return app;
  };

  it.each([
    ['127.0.0.1', /^http:\/\/127\.0\.0\.1:(\d+)$/],
    ['::1', /^http:\/\/\[::1\]:(\d+)$/],
  ])('on %s, names the port the OS chose and the URL answers', async (host, shape) => {
    const url = await listen(serve(), host, 0);
    expect(url).toMatch(shape);
    expect(Number(shape.exec(url)![1])).toBeGreaterThan(0);
    const res = await fetch(`${url}/where`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});
