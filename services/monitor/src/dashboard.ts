// The dashboard page: index.html with uPlot and the page's script and style inlined, so it needs no network.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pageDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'dashboard');
let cached: Promise<string> | undefined;

async function assemble(): Promise<string> {
  const require = createRequire(import.meta.url);
  const uplotDir = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  const [html, pageJs, pageCss, uplotJs, uplotCss] = await Promise.all([
    readFile(join(pageDir, 'index.html'), 'utf8'),
    readFile(join(pageDir, 'page.js'), 'utf8'),
    readFile(join(pageDir, 'page.css'), 'utf8'),
    readFile(join(uplotDir, 'uPlot.iife.min.js'), 'utf8'),
    readFile(join(uplotDir, 'uPlot.min.css'), 'utf8'),
  ]);
  // Function replacers: the inlined code may contain `$&` and friends.
  return html
    .replace('/*UPLOT_CSS*/', () => uplotCss)
    .replace('/*PAGE_CSS*/', () => pageCss)
    .replace('/*UPLOT_JS*/', () => uplotJs)
    .replace('/*PAGE_JS*/', () => pageJs);
}

/** Built once per process. */
export function dashboardHtml(): Promise<string> {
  cached ??= assemble();
  return cached;
}
