// Every logperf service started in-process on an ephemeral port (embedded backends), each with the Fastify app it built,
// so reliability tests can enumerate the routes each service really registered.
import type { FastifyInstance } from 'fastify';
import { createLogger, loadConfig, type Config, type Logger } from '@logperf/core';
import { createBackends, startGateway, startProcessor, type Backends } from '@logperf/cluster';
import { RouteRegistry, type RunningRole } from '@logperf/platform';
import { startAnalyzer } from '@logperf/analyzer';
import { startLoadgen } from '@logperf/loadgen';
import { startMonitor } from '@logperf/monitor';
import { startSink, type Sink } from '../../../../services/loadgen/test/sink.js';

export interface ServiceContext {
  config: Config;
  backends: Backends;
  logger: Logger;
  /** A local HTTP sink: the only target the load generator may hit. */
  sink: Sink;
  /** Handed to the service's start-up, which records in it the app it builds and that app's routes. */
  routes: RouteRegistry;
}

/**
 * How each service starts. Adding a service (e.g. the analyzer, :8082) to every fuzz and access test is one line here:
 *   analyzer: (ctx) => startAnalyzer({ config: ctx.config, logger: ctx.logger, port: 0, routes: ctx.routes, … }),
 * Its routes are then read from the registry its app recorded them in (createHttpApp does); nothing else needs a list.
 */
export const SERVICE_STARTERS: Record<string, (ctx: ServiceContext) => Promise<RunningRole>> = {
  gateway: (ctx) =>
    startGateway({ config: ctx.config, backends: ctx.backends, logger: ctx.logger, port: 0, routes: ctx.routes }),
  processor: (ctx) =>
    startProcessor({ config: ctx.config, backends: ctx.backends, logger: ctx.logger, port: 0, routes: ctx.routes }),
  loadgen: (ctx) =>
    startLoadgen({
      config: ctx.config,
      logger: ctx.logger,
      port: 0,
      routes: ctx.routes,
      sql: ctx.backends.store.sql(),
      allowedTargets: [ctx.sink.url],
      processorUrls: [],
    }),
  analyzer: (ctx) =>
    startAnalyzer({
      config: ctx.config,
      logger: ctx.logger,
      port: 0,
      routes: ctx.routes,
      sql: ctx.backends.store.sql(),
    }),
  monitor: (ctx) =>
    startMonitor({
      config: ctx.config,
      logger: ctx.logger,
      port: 0,
      routes: ctx.routes,
      nodeUrls: [],
      bus: ctx.backends.bus,
      sql: ctx.backends.store.sql(),
      dashboardHtml: async () => '<!doctype html><title>dashboard</title>',
      scrapeIntervalMs: 1000,
    }),
};

export interface StartedService {
  name: string;
  url: string;
  app: FastifyInstance;
  /** Method and URL pattern of every route, HEAD twins of GET routes left out. */
  routes: { method: string; url: string }[];
}

export interface StartedServices {
  services: StartedService[];
  sink: Sink;
  backends: Backends;
  close(): Promise<void>;
}

export async function startServices(
  options: { env?: NodeJS.ProcessEnv; logger?: Logger } = {},
): Promise<StartedServices> {
  const config = loadConfig({ LOGPERF_PGLITE_DIR: 'memory://', ...options.env }, {});
  const logger = options.logger ?? createLogger('reliability', 'silent');
  const backends = await createBackends(config);
  const sink = await startSink();
  const services: StartedService[] = [];
  const roles: RunningRole[] = [];
  for (const [name, start] of Object.entries(SERVICE_STARTERS)) {
    const registry = new RouteRegistry();
    roles.push(await start({ config, backends, logger, sink, routes: registry }));
    const built = registry.apps()[0];
    if (!built) throw new Error(`${name} built no app with createHttpApp, or did not hand it the route registry`);
    const routes = built.routes.filter((r) => r.method !== 'HEAD');
    services.push({ name, url: roles.at(-1)!.url, app: built.app, routes });
  }
  return {
    services,
    sink,
    backends,
    async close() {
      for (const role of roles.reverse()) await role.close();
      await backends.close();
      await sink.close();
    },
  };
}
