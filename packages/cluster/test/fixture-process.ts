// Starts a TypeScript fixture in its own Node process and learns its URL from the first http:// it prints.
import { spawn, type ChildProcess } from 'node:child_process';

export async function startFixture(
  path: string,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`fixture ${path} exited with ${code}`)));
    setTimeout(() => reject(new Error(`fixture ${path} did not start in 30 s`)), 30_000).unref();
  });
  return { child, url };
}
