// Starts the load generator: results repository, runner, HTTP API on :8081.
import { AppError, type Config, type Logger } from '@logperf/core';
import { createBus, createSqlClient, NodeRuntime, type Bus, type RunningRole, type SqlClient } from '@logperf/cluster';
import { buildLoadgenApp } from './loadgen-app.js';
import { ResultsRepository } from './results-repository.js';
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
  /** The cluster's bus when it runs in this process: what `target: "kafka"` produces into. */
  bus?: Bus;
}

const refuseKafka = (message: string) =>
  new AppError('VALIDATION_FAILED', message, { details: [{ path: 'target', reason: message }] });

/** `target: "kafka"` only when allowed, and only onto a bus the cluster consumes. */
async function openKafkaTarget(config: Config, shared: Bus | undefined): Promise<{ bus: Bus; shared: boolean }> {
  if (!config.loadgenAllowKafka)
    throw refuseKafka(
      "target 'kafka' is off: it bypasses the gateway's admission control; allow it with LOGPERF_LOADGEN_ALLOW_KAFKA=true",
    );
  if (shared) return { bus: shared, shared: true };
  if (config.bus === 'memory')
    throw refuseKafka(
      "target 'kafka' would produce into this generator's own in-memory bus, which no processor consumes: " +
        'run the generator with the cluster (logperf up) or on a real bus (--bus kafka)',
    );
  return { bus: await createBus(config), shared: false };
}

export async function startLoadgen(options: StartLoadgenOptions): Promise<RunningRole & { runner: LoadTestRunner }> {
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
  });
  const allowedTargets = options.allowedTargets ?? config.loadgenAllowedTargets;
  const app = buildLoadgenApp({
    runner,
    repository,
    node,
    logger,
    apiToken: config.apiToken,
    allowedHosts: config.allowedHosts,
    allowedTargets,
    defaultTarget: options.defaultTarget ?? allowedTargets[0]!,
    openBus: () => openKafkaTarget(config, options.bus),
  });
  await app.listen({ host: config.host, port: options.port ?? config.ports.loadgen });
  const address = app.server.address();
  const url = `http://${config.host}:${typeof address === 'object' && address ? address.port : 0}`;
  logger.info({ url, allowedTargets }, 'load generator listening');
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
