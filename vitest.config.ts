// One test runner for the whole repository; workspace packages resolve to their sources.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      '@logperf/core': src('./packages/core/src/index.ts'),
      '@logperf/platform': src('./packages/platform/src/index.ts'),
      '@logperf/cluster': src('./packages/cluster/src/index.ts'),
      '@logperf/measurements': src('./packages/measurements/src/index.ts'),
      '@logperf/loadgen': src('./services/loadgen/src/index.ts'),
      '@logperf/monitor': src('./services/monitor/src/index.ts'),
      '@logperf/analyzer': src('./services/analyzer/src/index.ts'),
    },
  },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'deploy/test/**/*.test.ts',
      'scripts/test/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real-service suites share one Kafka broker, one PostgreSQL and one Redis: run files one at a time.
    fileParallelism: false,
    reporters: ['default'],
    // The embedded store defaults to a folder on disk; a test keeps it in memory unless it makes its own folder.
    env: { LOGPERF_PGLITE_DIR: 'memory://' },
  },
});
