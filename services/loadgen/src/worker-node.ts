// A `logperf worker`'s own HTTP face: the node routes every logperf process serves (/health, /metrics,
// /api/node/stats, /api/node/clock), so an orchestrator can probe it and the monitor can measure its clock.
import type { Logger } from '@logperf/core';
import { createHttpApp, listen, NodeRuntime, registerNodeRoutes } from '@logperf/platform';

export interface WorkerNodeOptions {
  host: string;
  /** LOGPERF_WORKER_PORT (default 8083; 0: any free port). */
  port: number;
  logger: Logger;
  apiToken?: string | undefined;
  allowedHosts?: readonly string[] | undefined;
}

export interface WorkerNode {
  url: string;
  close(): Promise<void>;
}

export async function startWorkerNode(options: WorkerNodeOptions): Promise<WorkerNode> {
  const node = new NodeRuntime(`worker-${process.pid}`, 'worker', 'sent');
  const app = createHttpApp({ logger: options.logger, apiToken: options.apiToken, allowedHosts: options.allowedHosts });
  registerNodeRoutes(app, node, { checks: {} });
  const url = await listen(app, options.host, options.port);
  return {
    url,
    async close() {
      await app.close();
      node.stop();
    },
  };
}
