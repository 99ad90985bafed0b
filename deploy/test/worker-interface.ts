// The `logperf worker` / coordinator interface that the deploy files (Compose, Kubernetes) rely on, in one place,
// and the environment variable names the code reads: the configuration table plus these.
import { SERVICE_PORTS, SOURCES } from '@logperf/core';

/**
 * A load-generator worker: `logperf worker`, named by LOGPERF_WORKER_NAME, announcing LOGPERF_WORKER_URL (where it
 * answers its health and clock, on this port) to the coordinator.
 */
export const WORKER = {
  command: 'worker',
  port: 8083,
  healthPath: '/health',
  clockPath: '/api/node/clock',
  env: { name: 'LOGPERF_WORKER_NAME', url: 'LOGPERF_WORKER_URL', port: 'LOGPERF_WORKER_PORT' },
} as const;

/** The coordinator (`logperf loadgen`) hands segments to Kafka workers when these are set. */
export const COORDINATOR_ENV = { workers: 'LOGPERF_LOADGEN_WORKERS', segments: 'LOGPERF_LOADGEN_SEGMENTS' } as const;

/** Every LOGPERF_* name some part of logperf reads. */
export const KNOWN_ENV_NAMES: ReadonlySet<string> = new Set([
  ...Object.values(SOURCES).map((source) => source.env),
  ...Object.keys(SERVICE_PORTS).map((service) => `LOGPERF_${service.toUpperCase()}_PORT`),
  ...Object.values(WORKER.env),
  ...Object.values(COORDINATOR_ENV),
]);
