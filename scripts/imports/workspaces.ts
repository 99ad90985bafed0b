// The repository as the import checks see it: each npm workspace with its manifest, and every source file with the
// workspace that owns it and whether it ships (runtime) or only checks (test; bench, deploy and scripts are root).
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { readImports, type ModuleImport } from './read-imports.js';

export interface Manifest {
  name: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

export interface Workspace extends Manifest {
  dir: string; // relative to the root, with '/'
}

export interface SourceFile {
  path: string; // relative to the root, with '/'
  workspace: Workspace | null; // null: a root file (bench/, deploy/, scripts/, configs)
  kind: 'runtime' | 'test' | 'root';
  imports: ModuleImport[];
}

export interface Repository {
  root: Manifest;
  workspaces: Workspace[];
  files: SourceFile[];
}

const SOURCE = /\.(c|m)?(t|j)sx?$/;
const SKIPPED = new Set(['node_modules', 'dist', '.git', '.cache', 'reports', 'coverage']);

function readManifest(dir: string): Manifest {
  const raw = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Partial<Manifest> & {
    workspaces?: string[];
  };
  return { name: raw.name ?? '', dependencies: raw.dependencies ?? {}, devDependencies: raw.devDependencies ?? {} };
}

function walk(dir: string, skip: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (SKIPPED.has(entry.name) || skip(path)) continue;
    if (entry.isDirectory()) out.push(...walk(path, skip));
    else if (entry.isFile() && SOURCE.test(entry.name)) out.push(path);
  }
  return out;
}

const slash = (path: string) => path.split(sep).join('/');

export function readRepository(rootDir: string): Repository {
  const root = resolve(rootDir);
  const { workspaces: dirs = [] } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    workspaces?: string[];
  };
  const workspaces = dirs.map((dir) => ({ ...readManifest(join(root, dir)), dir: slash(dir) }));
  const files: SourceFile[] = [];
  for (const workspace of workspaces) {
    for (const path of walk(join(root, workspace.dir), () => false)) {
      const inside = slash(relative(join(root, workspace.dir), path));
      const kind = inside.startsWith('test/') ? 'test' : 'runtime';
      files.push({ path: slash(relative(root, path)), workspace, kind, imports: readImports(path) });
    }
  }
  const workspaceDirs = new Set(workspaces.map((workspace) => join(root, workspace.dir)));
  for (const path of walk(root, (candidate) => workspaceDirs.has(candidate))) {
    files.push({ path: slash(relative(root, path)), workspace: null, kind: 'root', imports: readImports(path) });
  }
  return { root: readManifest(root), workspaces, files };
}

export function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);
}

/** The package a bare specifier names ('@scope/name/deep' → '@scope/name'); null for relative paths and builtins. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The workspace a relative import lands in, if it is not the importing file's own (a deep path into another). */
export function workspaceReachedBy(repo: Repository, file: SourceFile, specifier: string): Workspace | null {
  if (!specifier.startsWith('.')) return null;
  const target = slash(join(dirname(file.path), specifier));
  const reached = repo.workspaces.find((workspace) => target.startsWith(`${workspace.dir}/`));
  return reached && reached !== file.workspace ? reached : null;
}
