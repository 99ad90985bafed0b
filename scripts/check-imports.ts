// Run by `npm run lint`: the package boundaries and the declared dependencies, on the tree given (default: here).
import { checkArchitecture } from './check-architecture.js';
import { checkDependencies } from './check-dependencies.js';
import { readRepository } from './imports/workspaces.js';

const repo = readRepository(process.argv[2] ?? '.');
const problems = [...checkArchitecture(repo), ...checkDependencies(repo)];
for (const problem of problems) console.error(problem);
if (problems.length > 0) {
  console.error(`check-imports: ${problems.length} problem(s); the rules are in scripts/ and docs/ARCHITECTURE.md`);
  process.exitCode = 1;
} else {
  console.log(`check-imports: ${repo.files.length} files in ${repo.workspaces.length} workspaces follow the rules`);
}
