// The route registry: an app built with it is recorded with every route it registers, in build order; an app built
// without it is not recorded anywhere.
import { createLogger } from '@logperf/core';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpApp } from '../src/http/http-app.js';
import { RouteRegistry } from '../src/http/route-registry.js';

const logger = createLogger('route-registry-test', 'silent');

describe('RouteRegistry', () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('records each app built with it, in build order, and every route it registers', async () => {
    const routes = new RouteRegistry();
    const first = createHttpApp({ logger, routes });
    const untracked = createHttpApp({ logger });
    const second = createHttpApp({ logger, routes });
    apps.push(first, untracked, second);
    first.get('/a', async () => 'a');
    untracked.post('/hidden', async () => 'h');
    second.post('/b', async () => 'b');
    second.route({ method: ['PUT', 'DELETE'], url: '/c/:id', handler: async () => 'c' });
    await Promise.all(apps.map((app) => app.ready()));

    const recorded = routes.apps();
    expect(recorded.map((r) => r.app)).toEqual([first, second]);
    expect(recorded[0]!.routes).toEqual([
      { method: 'GET', url: '/a' },
      { method: 'HEAD', url: '/a' },
    ]);
    expect(recorded[1]!.routes).toEqual([
      { method: 'POST', url: '/b' },
      { method: 'PUT', url: '/c/:id' },
      { method: 'DELETE', url: '/c/:id' },
    ]);
  });
});
