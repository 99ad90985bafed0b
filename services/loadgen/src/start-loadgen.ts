// Starts the load generator: results repository, runner, HTTP API on :8081.
import type { Config, Logger } from '@logperf/core';
import { createSqlClient } from '@logperf/cluster';
import { listen, NodeRuntime, type RunningRole, type SqlClient, type RouteRegistry } from '@logperf/platform';
import { buildLoadgenApp } from './loadgen-app.js';
import { ResultsRepository } from '@logperf/measurements';
import { LoadTestRunner } from './runner.js';

export interface StartLoadgenOptions {
  config: Config;
  logger: Logger;
  port?: number;
  /** Overrides config.processorUrls (the embedded `up` knows its processor's address only once it listens). */
  processorUrls?: string[];
  defaultTarget?: string;
  allowedTargets?: string[];
  /** A client opened ahead (in parallel with other start-up work); the load generator closes it. */
  sql?: SqlClient;
  /** Records the app this start-up builds and its routes (the fuzz and access tests read it). */
  routes?: RouteRegistry;
}

export async function startLoadgen(
  options: StartLoadgenOptions,
): Promise<RunningRole<'loadgen'> & { runner: LoadTestRunner }> {
  const { config, logger } = options;
  const sql = options.sql ?? (await createSqlClient(config, 'loadgen'));
  const repository = new ResultsRepository(sql);
  await repository.init();
  const interrupted = await repository.markInterrupted();
  if (interrupted > 0) logger.warn({ interrupted }, 'tests left running by an earlier process were marked interrupted');
  const node = new NodeRuntime(`loadgen-${process.pid}`, 'loadgen', 'sent');
  const runner = new LoadTestRunner({
    repository,
    logger,
    processorUrls: options.processorUrls ?? config.processorUrls,
    lingerMs: config.loadgenLingerMs,
    lateAfterMs: config.loadgenLateAfterMs,
    dropAfterMs: config.loadgenDropAfterMs,
    clockMaxUncertaintyShare: config.clockMaxUncertaintyShare,
    remote:
      config.loadgenWorkers === 'kafka'
        ? {
            segments: config.loadgenSegments,
            brokers: config.kafkaBrokers,
            topicPrefix: config.loadgenWorkerTopicPrefix,
            sessionTimeoutMs: config.loadgenWorkerSessionMs,
            apiToken: config.apiToken,
          }
        : undefined,
  });
  const allowedTargets = options.allowedTargets ?? config.loadgenAllowedTargets;
  const app = buildLoadgenApp({
    runner,
    repository,
    node,
    logger,
    apiToken: config.apiToken,
    allowedHosts: config.allowedHosts,
    routes: options.routes,
    allowedTargets,
    defaultTarget: options.defaultTarget ?? allowedTargets[0]!,
    bus: config,
    allowKafka: config.loadgenAllowKafka,
  });
  const url = await listen(app, config.host, options.port ?? config.ports.loadgen);
  logger.info({ url, allowedTargets, workers: config.loadgenWorkers }, 'load generator listening');
  return {
    role: 'loadgen',
    url,
    node,
    runner,
    async close() {
      await runner.close();
      await app.close();
      node.stop();
      await sql.close();
    },
  };
}
