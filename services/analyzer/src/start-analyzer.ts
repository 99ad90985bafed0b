// Starts the analyzer: reads the load generator's results and the monitor's history from the store's database and
// asks the monitor (when one is configured) what it sees of the backends; serves :8082.
import type { Config, Logger } from '@logperf/core';
import { createSqlClient } from '@logperf/cluster';
import { listen, NodeRuntime, type RunningRole, type SqlClient, type RouteRegistry } from '@logperf/platform';
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
  /** Records the app this start-up builds and its routes (the fuzz and access tests read it). */
  routes?: RouteRegistry;
}

export async function startAnalyzer(options: StartAnalyzerOptions): Promise<RunningRole<'analyzer'>> {
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
    routes: options.routes,
  });
  const url = await listen(app, config.host, options.port ?? config.ports.analyzer);
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
