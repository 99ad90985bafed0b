// What readImports takes from a file: each kind of import with its names and line, and nothing from strings/comments.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { readImports } from '../imports/read-imports.js';

it('reads static, type, re-export, dynamic, require and resolve imports with their names', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'logperf-read-imports-')), 'a.ts');
  writeFileSync(
    file,
    [
      "import d, { a, b as c } from 'one';",
      "import type { T } from 'two';",
      "import * as ns from 'three';",
      "import 'side';",
      "export { e } from 'four';",
      "export * from 'five';",
      "const m = await import('six');",
      "const r = require('seven');",
      "createRequire(import.meta.url).resolve('eight/file.js');",
      "const text = \"import { x } from 'not-an-import'\"; // import('nor-this')",
    ].join('\n'),
  );
  expect(readImports(file)).toEqual([
    { specifier: 'one', names: ['default', 'a', 'b'], line: 1 },
    { specifier: 'two', names: ['T'], line: 2 },
    { specifier: 'three', names: ['*'], line: 3 },
    { specifier: 'side', names: [], line: 4 },
    { specifier: 'four', names: ['e'], line: 5 },
    { specifier: 'five', names: ['*'], line: 6 },
    { specifier: 'six', names: ['*'], line: 7 },
    { specifier: 'seven', names: ['*'], line: 8 },
    { specifier: 'eight/file.js', names: ['*'], line: 9 },
  ]);
});
