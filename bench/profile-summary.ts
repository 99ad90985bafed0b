// Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time per function and per file/package, top N.
// Usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export function summariseProfile(profile: Profile, top: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url
      .replace(/^file:\/\//, '')
      .replace(/.*node_modules\//, 'npm:')
      .replace(/.*\/work\/main\//, '');
    fn.set(
      `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`,
      (fn.get(`${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`) ?? 0) + us,
    );
    const group = where.startsWith('npm:')
      ? where
          .split('/')
          .slice(0, where.startsWith('npm:@') ? 2 : 1)
          .join('/')
      : where || `(${functionName})`;
    file.set(group, (file.get(group) ?? 0) + us);
  }
  const rank = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(
        ([k, us]) =>
          `${((us / totalUs) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${k}`,
      );
  return { totalMs: totalUs / 1000, functions: rank(fn), files: rank(file) };
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '25' } },
});
for (const path of positionals) {
  const s = summariseProfile(JSON.parse(readFileSync(path, 'utf8')) as Profile, Number(values.top));
  console.log(
    `== ${path}: ${s.totalMs.toFixed(0)} ms sampled\n-- self time by file/package\n${s.files.join('\n')}\n-- self time by function\n${s.functions.join('\n')}\n`,
  );
}
