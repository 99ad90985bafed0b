// Starts the analyzer: reads the load generator's results and the monitor's history from the store's database and
// asks the monitor (when one is configured) what it sees of the backends; serves :8082.
import type { Config, Logger } from '@logperf/core';
import { createSqlClient, NodeRuntime, type RunningRole, type SqlClient } from '@logperf/cluster';
import { HistoryStore, ResultsRepository, thresholdsFrom } from '@logperf/measurements';
import { buildAnalyzerApp } from './analyzer-app.js';
import { monitorContext } from './backend-context.js';
import { RunSource } from './run-data.js';

export interface StartAnalyzerOptions {
  config: Config;
  logger: Logger;
  port?: number;
  /** A client shared with the other roles of this process (embedded: the one PGlite); the analyzer closes it. */
  sql?: SqlClient;
  /** The monitor to ask about the backends (default: config.monitorUrl). */
  monitorUrl?: string;
}

export async function startAnalyzer(options: StartAnalyzerOptions): Promise<RunningRole> {
  const { config, logger } = options;
  const sql = options.sql ?? (await createSqlClient(config, 'analyzer'));
  const results = new ResultsRepository(sql);
  const history = new HistoryStore(sql);
  // Either table may not exist yet when the analyzer starts first; creating them is idempotent.
  await Promise.all([results.init(), history.init()]);
  const node = new NodeRuntime(`analyzer-${process.pid}`, 'analyzer', 'analysed');
  const monitorUrl = options.monitorUrl ?? config.monitorUrl;
  const app = buildAnalyzerApp({
    runs: new RunSource(results, history),
    node,
    logger,
    thresholds: thresholdsFrom(config.monitorThresholds),
    backendContext: () => monitorContext(monitorUrl, history, config.apiToken),
    apiToken: config.apiToken,
    allowedHosts: config.allowedHosts,
  });
  await app.listen({ host: config.host, port: options.port ?? config.ports.analyzer });
  const address = app.server.address();
  const url = `http://${config.host}:${typeof address === 'object' && address ? address.port : 0}`;
  logger.info({ url, monitor: monitorUrl ?? null }, 'analyzer listening');
  return {
    role: 'analyzer',
    url,
    node,
    async close() {
      await app.close();
      node.stop();
      await sql.close();
    },
  };
}
