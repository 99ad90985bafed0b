// Starts the cluster's roles (gateway, processor) on given backends, listening, with graceful shutdown.
import type { Config, Logger } from '@logperf/core';
import type { Backends } from './backends/backends.js';
import { buildGatewayApp } from './gateway/gateway-app.js';
import { listen, NodeRuntime, type RunningRole, type RouteRegistry } from '@logperf/platform';
import { buildProcessorApp } from './processor/processor-app.js';
import { Processor } from './processor/processor.js';

interface RoleOptions {
  config: Config;
  backends: Backends;
  logger: Logger;
  /** Overrides the configured port (0 = any free port). */
  port?: number;
  /** Records the app this start-up builds and its routes (the fuzz and access tests read it). */
  routes?: RouteRegistry;
}

/** Announces a node to the monitor every 5 s, so the monitor scrapes it without being told; failures only wait for the next beat. */
function startHeartbeat(config: Config, url: string, logger: Logger): () => void {
  if (!config.monitorUrl) return () => undefined;
  const target = `${config.monitorUrl.replace(/\/+$/, '')}/api/performance/nodes`;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(config.apiToken ? { authorization: `Bearer ${config.apiToken}` } : {}),
  };
  const beat = () =>
    void fetch(target, { method: 'POST', headers, body: JSON.stringify({ url }), signal: AbortSignal.timeout(2000) })
      .then((res) => (res.ok ? undefined : logger.debug({ status: res.status }, 'monitor refused the heartbeat')))
      .catch((error: unknown) => logger.debug({ err: error }, 'monitor unreachable for the heartbeat'));
  beat();
  const timer = setInterval(beat, 5000).unref();
  return () => clearInterval(timer);
}

export async function startGateway(options: RoleOptions): Promise<RunningRole<'gateway'>> {
  const { config, backends, logger } = options;
  const node = new NodeRuntime(`gateway-${process.pid}`, 'gateway', 'accepted');
  const app = buildGatewayApp({
    bus: backends.bus,
    node,
    logger,
    apiToken: config.apiToken,
    allowedHosts: config.allowedHosts,
    routes: options.routes,
    storeFailure: () => backends.store.writeFailure?.() ?? null,
  });
  const url = await listen(app, config.host, options.port ?? config.ports.gateway);
  logger.info({ url, bus: backends.bus.kind }, 'gateway listening');
  const stopHeartbeat = startHeartbeat(config, url, logger);
  return {
    role: 'gateway',
    url,
    node,
    async close() {
      stopHeartbeat();
      await app.close();
      node.stop();
    },
  };
}

export async function startProcessor(
  options: RoleOptions & { instances?: number },
): Promise<RunningRole<'processor'> & { processor: Processor }> {
  const { config, backends, logger } = options;
  const node = new NodeRuntime(`processor-${process.pid}`, 'processor', 'stored');
  const processor = new Processor({
    ...backends,
    telemetry: node.telemetry,
    logger,
    groupId: config.processorGroup,
    maxWaitMs: config.processorMaxWaitMs,
    instances: options.instances ?? 1,
  });
  await processor.start();
  const app = buildProcessorApp({
    backends,
    node,
    logger,
    allowedHosts: config.allowedHosts,
    routes: options.routes,
    counters: () => processor.counters,
    members: () => processor.members(),
    tests: () => processor.tests.snapshot(),
  });
  const url = await listen(app, config.host, options.port ?? config.ports.processor);
  logger.info(
    {
      url,
      instances: options.instances ?? 1,
      bus: backends.bus.kind,
      store: backends.store.kind,
      cache: backends.cache.kind,
    },
    'processor running',
  );
  const stopHeartbeat = startHeartbeat(config, url, logger);
  return {
    role: 'processor',
    url,
    node,
    processor,
    async close() {
      stopHeartbeat();
      await processor.stop();
      await app.close();
      node.stop();
    },
  };
}
