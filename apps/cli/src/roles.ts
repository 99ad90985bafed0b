// Starts the roles a command asks for, wired together: processor, gateway, then the load generator aimed at them.
import type { Config, Logger } from '@logperf/core';
import { createBackends, startGateway, startProcessor, type Backends } from '@logperf/cluster';
import type { RunningRole } from '@logperf/platform';
import { startLoadgen } from '@logperf/loadgen';
import { dashboardHtml, startMonitor } from '@logperf/monitor';
import { startAnalyzer } from '@logperf/analyzer';
import { isolationWarnings } from './isolation.js';

export type Role = 'processor' | 'gateway' | 'loadgen' | 'monitor' | 'analyzer';

export interface StartedRoles {
  roles: RunningRole[];
  backends: Backends | undefined;
  urlOf(role: Role): string | undefined;
  /** Gateway first (stop taking events), then processors (finish and commit), then the backends. */
  close(): Promise<void>;
}

export interface StartOptions {
  instances: number;
  ports?: Partial<Record<Role, number>>;
  /** Backends made ahead (tests wrap them to inject a fault); default: from the config. Closed with the roles. */
  backends?: Backends;
}

export async function startRoles(
  wanted: readonly Role[],
  config: Config,
  logger: Logger,
  options: StartOptions,
): Promise<StartedRoles> {
  const needsCluster = wanted.includes('processor') || wanted.includes('gateway');
  const backends = needsCluster ? (options.backends ?? (await createBackends(config, logger))) : undefined;
  for (const warning of isolationWarnings(wanted, config, backends !== undefined)) logger.warn(warning);
  // Roles in one process share the store's database (an embedded PGlite takes seconds to start); alone, each opens its own.
  const loadgenSql = backends?.store.sql();
  const monitorSql = backends?.store.sql();
  const analyzerSql = backends?.store.sql();
  const roles: RunningRole[] = [];
  const urlOf = (role: Role) => roles.find((r) => r.role === role)?.url;
  const port = (role: Role) => options.ports?.[role];
  if (backends && wanted.includes('processor'))
    roles.push(
      await startProcessor({ config, backends, logger, instances: options.instances, ...withPort(port('processor')) }),
    );
  if (backends && wanted.includes('gateway'))
    roles.push(await startGateway({ config, backends, logger, ...withPort(port('gateway')) }));
  if (wanted.includes('loadgen')) {
    const gateway = urlOf('gateway');
    const processor = urlOf('processor');
    roles.push(
      await startLoadgen({
        config,
        logger,
        ...withPort(port('loadgen')),
        ...(loadgenSql ? { sql: loadgenSql } : {}),
        ...(gateway ? { allowedTargets: [gateway], defaultTarget: `${gateway}/api/logs` } : {}),
        ...(processor ? { processorUrls: [processor] } : {}),
        ...(backends ? { bus: backends.bus } : {}),
      }),
    );
  }
  if (wanted.includes('monitor')) {
    // Started last, so it can watch every role this process runs (or the configured nodes when it runs alone).
    const local = roles.map((r) => r.url);
    roles.push(
      await startMonitor({
        config,
        logger,
        ...withPort(port('monitor')),
        ...(monitorSql ? { sql: monitorSql } : {}),
        nodeUrls: local.length > 0 ? local : config.monitorNodes,
        ...(backends ? { bus: backends.bus } : {}),
        dashboardHtml,
      }),
    );
  }
  if (wanted.includes('analyzer')) {
    const monitor = urlOf('monitor');
    roles.push(
      await startAnalyzer({
        config,
        logger,
        ...withPort(port('analyzer')),
        ...(analyzerSql ? { sql: analyzerSql } : {}),
        ...(monitor ? { monitorUrl: monitor } : {}),
      }),
    );
  }
  return {
    roles,
    backends,
    urlOf,
    async close() {
      for (const role of [...roles].reverse()) await role.close();
      await backends?.close();
    },
  };
}

const withPort = (port: number | undefined) => (port === undefined ? {} : { port });
