// The package-boundary check: the repository passes, and each kind of new crossing in a fixture tree fails,
// including through `npm run lint`'s entry point (exit code 1).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkArchitecture, EXCEPTIONS } from '../check-architecture.js';
import { readRepository } from '../imports/workspaces.js';
import { fixtureTree } from './fixture-tree.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const check = (files: Record<string, string>) => checkArchitecture(readRepository(fixtureTree(files)), undefined, []);

describe('checkArchitecture', () => {
  it('finds no crossing in this repository beyond the listed exceptions', () => {
    expect(checkArchitecture(readRepository(repoRoot))).toEqual([]);
  });

  it('fails when core imports any package of ours', () => {
    const problems = check({ 'packages/core/src/a.ts': "import { x } from '@logperf/cluster';\n" });
    expect(problems).toEqual([
      'packages/core/src/a.ts:1 @logperf/core imports x from @logperf/cluster, which it may not import',
    ]);
  });

  it('fails when the platform imports the cluster under test or a measuring package', () => {
    const problems = check({
      'packages/platform/src/a.ts':
        "import { createBus } from '@logperf/cluster';\nimport { core } from '@logperf/core';\n",
      'packages/platform/test/b.ts': "import { startMonitor } from '@logperf/monitor';\n",
    });
    expect(problems).toEqual([
      'packages/platform/src/a.ts:1 @logperf/platform imports createBus from @logperf/cluster, which it may not import',
      'packages/platform/test/b.ts:1 @logperf/platform imports startMonitor from @logperf/monitor, which it may not import',
    ]);
  });

  it('fails when the cluster imports a measuring package, in src or in test', () => {
    const problems = check({
      'packages/cluster/src/a.ts': "import type { Run } from '@logperf/loadgen';\n",
      'packages/cluster/test/b.ts': "export * from '@logperf/analyzer';\nconst m = await import('@logperf/monitor');\n",
    });
    expect(problems).toEqual([
      'packages/cluster/src/a.ts:1 @logperf/cluster imports Run from @logperf/loadgen, which it may not import',
      'packages/cluster/test/b.ts:1 @logperf/cluster imports * from @logperf/analyzer, which it may not import',
      'packages/cluster/test/b.ts:2 @logperf/cluster imports * from @logperf/monitor, which it may not import',
    ]);
  });

  it('fails when one service imports another, by name or by a relative path into its folder', () => {
    const problems = check({
      'services/loadgen/src/a.ts': "import { HistoryStore } from '@logperf/monitor';\n",
      'services/monitor/src/b.ts': "import { runner } from '../../loadgen/src/runner.js';\n",
    });
    expect(problems).toEqual([
      'services/loadgen/src/a.ts:1 @logperf/loadgen imports HistoryStore from @logperf/monitor, which it may not import',
      'services/monitor/src/b.ts:1 @logperf/monitor imports runner from @logperf/loadgen, which it may not import',
    ]);
  });

  it('lets a listed exception through by name only, and reports an exception nobody needs any more', () => {
    const tree = fixtureTree({
      'services/analyzer/src/a.ts': "import { HistoryStore, MonitorConfig } from '@logperf/monitor';\n",
    });
    const exceptions = [
      { from: '@logperf/analyzer', to: '@logperf/monitor', names: ['HistoryStore', 'HistoryRow'], why: 'test' },
    ];
    expect(checkArchitecture(readRepository(tree), undefined, exceptions)).toEqual([
      'services/analyzer/src/a.ts:1 @logperf/analyzer imports MonitorConfig from @logperf/monitor, which it may not import',
      'exception @logperf/analyzer -> @logperf/monitor HistoryRow is no longer used',
    ]);
  });

  it('allows the layers below and fails a workspace that has no layer', () => {
    const tree = fixtureTree({
      'services/loadgen/src/a.ts': "import { a } from '@logperf/cluster';\nimport { b } from '@logperf/core';\n",
      'services/monitor/src/a.ts': "import { createHttpApp } from '@logperf/platform';\n",
      'packages/cluster/src/a.ts': "import { NodeRuntime } from '@logperf/platform';\n",
      'apps/cli/src/b.ts': "import { c } from '@logperf/analyzer';\nimport { d } from '@logperf/platform';\n",
    });
    const repo = readRepository(tree);
    expect(checkArchitecture(repo, undefined, [])).toEqual([]);
    repo.workspaces.push({ name: '@logperf/new', dir: 'packages/new', dependencies: {}, devDependencies: {} });
    expect(checkArchitecture(repo, undefined, [])).toEqual(['@logperf/new (packages/new) has no entry in ALLOWED']);
  });

  it('names an issue for every exception', () => {
    for (const exception of EXCEPTIONS) expect(exception.why).toMatch(/^issue \d+: /);
  });

  it('makes the lint entry point exit 1 on a new crossing, 0 without it', () => {
    // Today's crossings, as the listed exceptions name them, declared as the analyzer declares them.
    const legacy = EXCEPTIONS.map(({ to, names }) => `import { ${names.join(', ')} } from '${to}';\n`).join('');
    const declared = { dependencies: Object.fromEntries(EXCEPTIONS.map(({ to }) => [to, '0.1.0'])) };
    const run = (files: Record<string, string>) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', 'scripts/check-imports.ts', fixtureTree(files, { '@logperf/analyzer': declared })],
        { cwd: repoRoot, encoding: 'utf8' },
      );
    const clean = run({ 'services/analyzer/src/legacy.ts': legacy });
    expect(clean.stderr).toBe('');
    expect(clean.status).toBe(0);
    const bad = run({
      'services/analyzer/src/legacy.ts': legacy,
      'packages/core/src/a.ts': "import { x } from '@logperf/monitor';\n",
    });
    expect(bad.stderr).toContain('packages/core/src/a.ts:1 @logperf/core imports x from @logperf/monitor');
    expect(bad.status).toBe(1);
  });
});
