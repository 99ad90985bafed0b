// The package boundaries, checked on every import in every workspace (src and test): core imports nothing of ours,
// the cluster under test imports nothing of the measuring side, and no service imports another. Today's crossings
// are listed one name at a time below, so any new one fails `npm run lint`.
import { packageOf, workspaceReachedBy, type Repository } from './imports/workspaces.js';

/** Which of our packages each workspace may import (besides itself). A workspace missing here fails the check. */
export const ALLOWED: Record<string, string[]> = {
  '@logperf/core': [],
  '@logperf/cluster': ['@logperf/core'],
  '@logperf/loadgen': ['@logperf/core', '@logperf/cluster'],
  '@logperf/monitor': ['@logperf/core', '@logperf/cluster'],
  '@logperf/analyzer': ['@logperf/core', '@logperf/cluster'],
  '@logperf/cli': ['@logperf/core', '@logperf/cluster', '@logperf/loadgen', '@logperf/monitor', '@logperf/analyzer'],
};

export interface Exception {
  from: string;
  to: string;
  names: string[]; // exactly the names imported today; a new name fails
  why: string;
}

/**
 * Crossings that exist today. Issue 15 removes them: the stored shapes (HistoryRow, HistoryNode, NodeSample,
 * StoredResult) and their repositories (HistoryStore, ResultsRepository) move to a measurements package, and the
 * bottleneck rule table (detectBottlenecks, thresholds) becomes one table both services read.
 */
export const EXCEPTIONS: Exception[] = [
  {
    from: '@logperf/analyzer',
    to: '@logperf/monitor',
    names: [
      'HistoryStore',
      'HistoryRow',
      'HistoryNode',
      'detectBottlenecks',
      'BottleneckThresholds',
      'DEFAULT_THRESHOLDS',
      'thresholdsFrom',
    ],
    why: 'issue 15: history rows and HistoryStore move to measurements; the bottleneck rules become one shared table',
  },
  {
    from: '@logperf/analyzer',
    to: '@logperf/loadgen',
    names: ['ResultsRepository', 'StoredResult'],
    why: 'issue 15: the stored result and its repository move to measurements',
  },
];

export function checkArchitecture(
  repo: Repository,
  allowed: Record<string, string[]> = ALLOWED,
  exceptions: Exception[] = EXCEPTIONS,
): string[] {
  const ours = new Set(repo.workspaces.map((workspace) => workspace.name));
  const problems: string[] = [];
  const used = new Set<string>();
  for (const workspace of repo.workspaces) {
    if (!allowed[workspace.name]) problems.push(`${workspace.name} (${workspace.dir}) has no entry in ALLOWED`);
  }
  for (const file of repo.files) {
    const from = file.workspace?.name;
    if (!from || !allowed[from]) continue; // bench/, deploy/ and scripts/ sit above every package
    for (const { specifier, names, line } of file.imports) {
      const named = packageOf(specifier);
      const to = named && ours.has(named) ? named : workspaceReachedBy(repo, file, specifier)?.name;
      if (!to || to === from || allowed[from].includes(to)) continue;
      const exception = exceptions.find((candidate) => candidate.from === from && candidate.to === to);
      for (const name of names.length > 0 ? names : ['(side effect)']) {
        if (exception?.names.includes(name)) used.add(`${from}>${to}>${name}`);
        else problems.push(`${file.path}:${line} ${from} imports ${name} from ${to}, which it may not import`);
      }
    }
  }
  for (const { from, to, names } of exceptions) {
    for (const name of names) {
      if (!used.has(`${from}>${to}>${name}`)) problems.push(`exception ${from} -> ${to} ${name} is no longer used`);
    }
  }
  return problems;
}
