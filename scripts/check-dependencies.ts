// Declared dependencies only: every package a workspace's code imports is in its package.json (shipped code in
// dependencies; tests may also use devDependencies and the root's), and every declared package is imported.
// Hoisting makes undeclared imports work on a developer's machine and break in an image built from manifests.
import { packageOf, type Repository, type SourceFile } from './imports/workspaces.js';

/** Root devDependencies that are run as commands or loaded by a tool rather than imported, and why. */
export const TOOLS: Record<string, string> = {
  eslint: 'npm run lint',
  prettier: 'npm run lint / npm run format',
  tsx: 'runs bench/ and scripts/',
  vite: 'the bundler vitest runs on (peer dependency)',
};

/** Shipped files that import a devDependency on a path that only runs from TypeScript sources, and why. */
export const DEV_ONLY_PATHS: Record<string, Record<string, string>> = {
  'services/loadgen/src/generator-threads.ts': {
    tsx: 'boots the generator thread from its .ts source in tests and benches; compiled code loads the .js sibling',
  },
};

function declaredFor(repo: Repository, file: SourceFile): Set<string> {
  const names = repo.workspaces.map((workspace) => workspace.name);
  const root = Object.keys(repo.root.devDependencies);
  const workspace = file.workspace;
  if (!workspace) return new Set([...names, ...root, ...Object.keys(repo.root.dependencies)]);
  const shipped = [workspace.name, ...Object.keys(workspace.dependencies)];
  const devOnly = Object.keys(DEV_ONLY_PATHS[file.path] ?? {}).filter((name) => name in workspace.devDependencies);
  return new Set(
    file.kind === 'runtime'
      ? [...shipped, ...devOnly]
      : [...shipped, ...Object.keys(workspace.devDependencies), ...root],
  );
}

/** '@types/pg' is used when 'pg' is; '@types/node' when any builtin is (every tree has one). */
const typed = (name: string) => (name === '@types/node' ? null : name.replace(/^@types\//, '').replace(/__/, '/'));

export function checkDependencies(repo: Repository, tools: Record<string, string> = TOOLS): string[] {
  const problems: string[] = [];
  const importedBy = new Map<string, Set<string>>(); // package -> 'dir:kind' of files importing it
  for (const file of repo.files) {
    const declared = declaredFor(repo, file);
    const where = `${file.workspace?.dir ?? '.'}:${file.kind}`;
    for (const { specifier, line } of file.imports) {
      const name = packageOf(specifier);
      if (!name) continue;
      importedBy.set(name, (importedBy.get(name) ?? new Set()).add(where));
      if (declared.has(name)) continue;
      const manifest = file.workspace ? `${file.workspace.dir}/package.json` : 'package.json';
      const section = file.kind === 'runtime' ? 'dependencies' : 'devDependencies';
      problems.push(`${file.path}:${line} imports ${name}, which is not in the ${section} of ${manifest}`);
    }
  }
  const isUsed = (name: string, places: (where: string) => boolean) => {
    const target = name.startsWith('@types/') ? typed(name) : name;
    if (target === null) return true;
    return [...(importedBy.get(target) ?? [])].some(places);
  };
  for (const workspace of repo.workspaces) {
    for (const name of Object.keys(workspace.dependencies)) {
      if (isUsed(name, (where) => where === `${workspace.dir}:runtime`)) continue;
      const onlyTests = isUsed(name, (where) => where === `${workspace.dir}:test`);
      problems.push(
        `${workspace.dir}/package.json declares ${name} in dependencies but ${onlyTests ? 'only its tests import it (make it a devDependency)' : 'nothing in it imports it'}`,
      );
    }
    for (const name of Object.keys(workspace.devDependencies)) {
      const devOnlyUse = Object.entries(DEV_ONLY_PATHS).some(
        ([path, names]) => path.startsWith(`${workspace.dir}/`) && name in names,
      );
      if (!devOnlyUse && !isUsed(name, (where) => where === `${workspace.dir}:test`)) {
        problems.push(`${workspace.dir}/package.json declares ${name} in devDependencies but no test of it imports it`);
      }
    }
  }
  for (const name of Object.keys(repo.root.devDependencies)) {
    if (tools[name] || isUsed(name, (where) => !where.endsWith(':runtime'))) continue;
    problems.push(`package.json declares ${name} in devDependencies but no test, bench or script imports it`);
  }
  for (const name of Object.keys(tools)) {
    if (!repo.root.devDependencies[name]) problems.push(`TOOLS lists ${name}, which package.json does not declare`);
  }
  return problems;
}
