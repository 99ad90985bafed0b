// What a role started without the cluster in its process cannot see on embedded backends, said at start-up with the
// command that would work: an in-memory bus and an in-memory PGlite exist only inside the process that made them.
import type { Config } from '@logperf/core';
import type { Role } from './roles.js';

export function isolationWarnings(wanted: readonly Role[], config: Config, clusterInProcess: boolean): string[] {
  if (clusterInProcess) return [];
  const warnings: string[] = [];
  const privateStore = config.store === 'pglite';
  // The monitor says its own (lag unknown on a private in-memory bus) in startMonitor, for every caller.
  if (wanted.includes('loadgen') && privateStore)
    warnings.push(
      'loadgen: results are stored in this process’s own embedded database; the analyzer and the CLI elsewhere will not see them: ' +
        'run `logperf up`, or give every role --store postgres',
    );
  if (wanted.includes('analyzer') && privateStore)
    warnings.push(
      'analyzer: reads load-test results from its own embedded database, where no generator writes: ' +
        'run `logperf up`, or give every role --store postgres',
    );
  return warnings;
}
