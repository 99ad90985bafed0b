// docs/HTTP-API.md against the services themselves: every route a service registers is documented under its section
// (or under "Every node"), and every documented route is registered, so the contract page cannot drift from the code.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServices, type StartedServices } from './reliability/services.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOC = readFileSync(join(ROOT, 'docs/HTTP-API.md'), 'utf8');
const SECTIONS: Record<string, string> = {
  'Every node': '*',
  Gateway: 'gateway',
  Processor: 'processor',
  'Load generator': 'loadgen',
  Monitor: 'monitor',
  Analyzer: 'analyzer',
};

/** Routes documented per service ('*' = every node), from `## Section` headings and `#### \`METHOD /path\`` lines. */
function documentedRoutes(markdown: string): Map<string, Set<string>> {
  const routes = new Map<string, Set<string>>();
  let service: string | undefined;
  for (const line of markdown.split('\n')) {
    const section = /^## (.+?)(?: `:\d+`)?$/.exec(line);
    if (section) {
      service = SECTIONS[section[1]!];
      if (service && !routes.has(service)) routes.set(service, new Set());
    }
    const route = /^#### `(GET|POST|PUT|PATCH|DELETE) (\/\S*)`/.exec(line);
    if (route && service) routes.get(service)!.add(`${route[1]} ${route[2]}`);
  }
  return routes;
}

const asDocumented = (r: { method: string; url: string }) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`;

describe('docs/HTTP-API.md', () => {
  let started: StartedServices;
  beforeAll(async () => {
    started = await startServices();
  }, 120_000);
  afterAll(async () => started?.close());

  const documented = documentedRoutes(DOC);

  it('has a section for every service', () => {
    expect([...documented.keys()].sort()).toEqual(['*', 'analyzer', 'gateway', 'loadgen', 'monitor', 'processor']);
    expect(started.services.map((s) => s.name).sort()).toEqual([
      'analyzer',
      'gateway',
      'loadgen',
      'monitor',
      'processor',
    ]);
  });

  it('documents every route each service registers', () => {
    const missing = started.services.flatMap((s) =>
      s.routes
        .map(asDocumented)
        .filter((r) => !documented.get(s.name)?.has(r) && !documented.get('*')!.has(r))
        .map((r) => `${s.name}: ${r}`),
    );
    expect(missing).toEqual([]);
  });

  it('documents no route that a service does not register', () => {
    const registered = new Map(started.services.map((s) => [s.name, new Set(s.routes.map(asDocumented))]));
    const phantom = [...documented].flatMap(([service, routes]) =>
      [...routes]
        .filter((r) =>
          service === '*' ? [...registered.values()].some((set) => !set.has(r)) : !registered.get(service)?.has(r),
        )
        .map((r) => `${service}: ${r}`),
    );
    expect(phantom).toEqual([]);
  });
});

describe('README.md and docs/', () => {
  it('link only to files inside the repository, and every one exists', () => {
    const pages = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)].filter((f) =>
      f.endsWith('.md'),
    );
    const broken = pages.flatMap((page) =>
      [...readFileSync(join(ROOT, page), 'utf8').matchAll(/\]\(([^)\s]+)\)/g)]
        .map((m) => m[1]!.split('#')[0]!)
        .filter((target) => target !== '' && !/^https?:/.test(target))
        .filter((target) => {
          const file = join(ROOT, dirname(page), target);
          return relative(ROOT, file).startsWith('..') || !existsSync(file);
        })
        .map((target) => `${page} → ${target}`),
    );
    expect(broken).toEqual([]);
  });
});
