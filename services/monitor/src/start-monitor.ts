// Starts the monitor: scrapes the configured nodes, watches the processor group's lag, serves :8080.
import { ClockTracker, recordSwallowedError, type Config, type Logger } from '@logperf/core';
import { createBus, createSqlClient, type Bus } from '@logperf/cluster';
import { listen, NodeRuntime, type RunningRole, type SqlClient, type RouteRegistry } from '@logperf/platform';
import { HistoryStore, MinuteHistory, thresholdsFrom } from '@logperf/measurements';
import { BackendStats } from './backend-stats.js';
import { ClusterState } from './cluster-state.js';
import { historyRow } from './history.js';
import { HostNetwork } from './host-network.js';
import { LagWatcher } from './lag-watcher.js';
import { LatencyWindows } from './latency-windows.js';
import { buildMonitorApp } from './monitor-app.js';
import { NodeScraper } from './node-scraper.js';
import { MonitorMetrics } from './prometheus.js';

export interface StartMonitorOptions {
  config: Config;
  logger: Logger;
  port?: number;
  /** Nodes to scrape from the start (more may register). */
  nodeUrls: string[];
  /** The cluster's bus, when it lives in this process (embedded); otherwise one is opened from the config. */
  bus?: Bus;
  dashboardHtml: () => Promise<string>;
  /** A client opened ahead (in parallel with other start-up work); the monitor closes it. */
  sql?: SqlClient;
  /** Overrides config.monitorScrapeMs (tests scrape faster). */
  scrapeIntervalMs?: number;
  /** Records the app this start-up builds and its routes (the fuzz and access tests read it). */
  routes?: RouteRegistry;
}

export async function startMonitor(
  options: StartMonitorOptions,
): Promise<RunningRole<'monitor'> & { state: ClusterState }> {
  const { config, logger } = options;
  const thresholds = thresholdsFrom(config.monitorThresholds);
  const windows = new LatencyWindows();
  const scraper = new NodeScraper(windows, {
    intervalMs: options.scrapeIntervalMs ?? config.monitorScrapeMs,
    downAfterMs: config.monitorDownAfterMs,
  });
  for (const url of options.nodeUrls) scraper.addNode(url);
  // An in-memory bus lives in the cluster's process: one opened here is empty, and its "lag 0" would be a made-up figure.
  const isolated = !options.bus && config.bus === 'memory';
  const lagUnavailableReason = isolated
    ? "the in-memory bus lives in the cluster's process; run the monitor with it (logperf up) or on a real bus (--bus kafka)"
    : null;
  if (lagUnavailableReason) logger.warn(`consumer lag and queue depth are unknown: ${lagUnavailableReason}`);
  const ownBus = options.bus || isolated ? undefined : await createBus(config);
  const lagBus = options.bus ?? ownBus;
  const lag = lagBus
    ? new LagWatcher(lagBus, config.processorGroup, options.scrapeIntervalMs ?? config.monitorScrapeMs)
    : undefined;
  const sql = options.sql ?? (await createSqlClient(config, 'monitor'));
  const redis =
    config.cache === 'redis'
      ? new (await import('ioredis')).Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000 })
      : undefined;
  redis?.on('error', () => undefined);
  const backendStats = new BackendStats(
    {
      ...(config.store === 'postgres' ? { postgres: sql } : {}),
      ...(redis ? { redisInfo: () => redis.info() } : {}),
      table: config.storeTable,
    },
    config,
  );
  // Every second, so the history holds per-second PostgreSQL waits for a diagnosis after the test.
  const backendTimer = setInterval(() => void backendStats.sample(), 1000);
  void backendStats.sample();
  const network = new HostNetwork();
  const networkTimer = setInterval(() => void network.sample(), options.scrapeIntervalMs ?? config.monitorScrapeMs);
  void network.sample();
  const clocks = new ClockTracker(() => scraper.views().map((n) => n.url), { intervalMs: config.clockRemeasureMs });
  const state = new ClusterState(
    scraper,
    windows,
    lag,
    thresholds,
    backendStats,
    lagUnavailableReason,
    network,
    clocks,
  );
  const history = new HistoryStore(sql);
  await history.init();
  const minutes = new MinuteHistory(sql, history);
  await minutes.init();
  const node = new NodeRuntime(`monitor-${process.pid}`, 'monitor', 'scraped');
  // One row a second, for the previous second; a failed write is logged and the next second tries again.
  let lastPrune = 0;
  let lastRollup = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
  const historyTimer = setInterval(() => {
    const now = Date.now();
    const prune =
      now - lastPrune > 3600_000
        ? ((lastPrune = now), Promise.all([history.prune(now), minutes.prune(now)]))
        : Promise.resolve();
    // Two seconds into a minute the previous one has all its second rows: it is rolled up once.
    const minuteEnded = Math.floor((now - 2000) / 60_000) * 60_000 - 60_000;
    const rollup =
      minuteEnded > lastRollup ? ((lastRollup = minuteEnded), minutes.rollup(minuteEnded)) : Promise.resolve();
    void Promise.all([history.append(historyRow(state, now)), prune]).catch((error: unknown) =>
      recordSwallowedError('monitor.history-write', error),
    );
    void rollup.catch((error: unknown) => recordSwallowedError('monitor.history-rollup', error));
  }, 1000);
  const app = buildMonitorApp({
    state,
    history,
    minutes,
    metrics: new MonitorMetrics(state),
    node,
    logger,
    apiToken: config.apiToken,
    allowedHosts: config.allowedHosts,
    routes: options.routes,
    registrableHosts: ['127.0.0.1', 'localhost', '::1', config.host],
    dashboardHtml: options.dashboardHtml,
    reportMaxMinutes: config.monitorReportMaxMinutes,
  });
  scraper.start();
  clocks.start();
  lag?.start();
  const url = await listen(app, config.host, options.port ?? config.ports.monitor);
  logger.info({ url, nodes: options.nodeUrls }, 'monitor listening');
  return {
    role: 'monitor',
    url,
    node,
    state,
    async close() {
      clearInterval(historyTimer);
      clearInterval(backendTimer);
      clearInterval(networkTimer);
      redis?.disconnect();
      scraper.stop();
      clocks.stop();
      lag?.stop();
      await app.close();
      node.stop();
      await ownBus?.close();
      await sql.close();
    },
  };
}
