// The declared-dependencies check on fixture trees: undeclared imports, a devDependency shipped, declared packages
// nothing imports, and what counts as a use (require.resolve, @types/x, tools run as commands).
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDependencies } from '../check-dependencies.js';
import { readRepository } from '../imports/workspaces.js';
import { fixtureTree, type FixtureManifest } from './fixture-tree.js';

const check = (files: Record<string, string>, manifests: Record<string, FixtureManifest> = {}) =>
  checkDependencies(readRepository(fixtureTree(files, manifests)));

describe('checkDependencies', () => {
  it('finds every import of this repository declared and every declared package imported', () => {
    expect(checkDependencies(readRepository(fileURLToPath(new URL('../..', import.meta.url))))).toEqual([]);
  });

  it('fails shipped code that imports a package its workspace does not declare, or declares only for tests', () => {
    const problems = check(
      { 'services/monitor/src/a.ts': "import fastify from 'fastify';\nimport { z } from 'zod';\n" },
      { '@logperf/monitor': { devDependencies: { zod: '^4' } } },
    );
    expect(problems).toEqual([
      'services/monitor/src/a.ts:1 imports fastify, which is not in the dependencies of services/monitor/package.json',
      'services/monitor/src/a.ts:2 imports zod, which is not in the dependencies of services/monitor/package.json',
      'services/monitor/package.json declares zod in devDependencies but no test of it imports it',
    ]);
  });

  it('lets tests use their workspace devDependencies and the root devDependencies, and nothing else', () => {
    const problems = check(
      {
        'apps/cli/test/a.test.ts':
          "import { it } from 'vitest';\nimport pg from 'pg';\nimport { request } from 'undici';\n",
        'bench/b.ts': "import { request } from 'undici';\nimport { ok } from '@logperf/core';\n",
      },
      { '@logperf/cli': { devDependencies: { pg: '^8' } }, root: { devDependencies: { vitest: '^3' } } },
    );
    expect(problems).toEqual([
      'apps/cli/test/a.test.ts:3 imports undici, which is not in the devDependencies of apps/cli/package.json',
      'bench/b.ts:1 imports undici, which is not in the devDependencies of package.json',
    ]);
  });

  it('fails a declared package nothing imports, and says when only the tests do', () => {
    const problems = check(
      { 'services/loadgen/test/a.test.ts': "import { request } from 'undici';\n" },
      {
        '@logperf/loadgen': { dependencies: { pg: '^8', undici: '^7' }, devDependencies: { 'fast-check': '^4' } },
        root: { devDependencies: { ajv: '^8' } },
      },
    );
    expect(problems).toEqual([
      'services/loadgen/package.json declares pg in dependencies but nothing in it imports it',
      'services/loadgen/package.json declares undici in dependencies but only its tests import it (make it a devDependency)',
      'services/loadgen/package.json declares fast-check in devDependencies but no test of it imports it',
      'package.json declares ajv in devDependencies but no test, bench or script imports it',
    ]);
  });

  it('counts require.resolve, createRequire().resolve, dynamic import and @types/x as uses', () => {
    const problems = check(
      {
        'services/monitor/src/a.ts':
          "import { createRequire } from 'node:module';\nrequire.resolve('uplot/dist/u.js');\nexport const p = import('pino');\n",
        'apps/cli/src/b.ts':
          "import { createRequire } from 'node:module';\ncreateRequire(import.meta.url).resolve('uplot/x');\n",
        'deploy/test/c.test.ts': "import type { Pool } from 'pg';\n",
      },
      {
        '@logperf/monitor': { dependencies: { uplot: '^1', pino: '^10' } },
        '@logperf/cli': { dependencies: { uplot: '^1' } },
        root: { devDependencies: { pg: '^8', '@types/pg': '^8' } },
      },
    );
    expect(problems).toEqual([]);
  });

  it('fails a tool that the root no longer declares', () => {
    const repo = readRepository(fixtureTree({}));
    delete repo.root.devDependencies.vite;
    expect(checkDependencies(repo)).toEqual(['TOOLS lists vite, which package.json does not declare']);
  });
});
