// A throwaway repository for the import checks: the seven logperf workspaces with the given manifests and files.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TOOLS } from '../check-dependencies.js';

export const WORKSPACES: Record<string, string> = {
  '@logperf/core': 'packages/core',
  '@logperf/platform': 'packages/platform',
  '@logperf/cluster': 'packages/cluster',
  '@logperf/measurements': 'packages/measurements',
  '@logperf/loadgen': 'services/loadgen',
  '@logperf/monitor': 'services/monitor',
  '@logperf/analyzer': 'services/analyzer',
  '@logperf/cli': 'apps/cli',
};

export interface FixtureManifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * Writes the tree and returns its root. Manifests are keyed by package name ('root' for the repository); the root
 * also declares the command-line tools.
 */
export function fixtureTree(files: Record<string, string>, manifests: Record<string, FixtureManifest> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'logperf-imports-'));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  };
  const tools = Object.fromEntries(Object.keys(TOOLS).map((name) => [name, '*']));
  const devDependencies = { ...tools, ...manifests.root?.devDependencies };
  const rootManifest = { name: 'fixture', workspaces: Object.values(WORKSPACES), ...manifests.root, devDependencies };
  write('package.json', JSON.stringify(rootManifest));
  for (const [name, dir] of Object.entries(WORKSPACES)) {
    write(`${dir}/package.json`, JSON.stringify({ name, ...manifests[name] }));
    write(`${dir}/src/index.ts`, 'export const ok = true;\n');
  }
  for (const [path, text] of Object.entries(files)) write(path, text);
  return root;
}
