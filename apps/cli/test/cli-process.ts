// Starts `logperf <command>` as a child process the way a user would, and learns each role's URL from its output.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const CLI_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface CliProcess {
  child: ChildProcess;
  /** URL of the command's own role (gateway, processor); for `up`, the gateway. */
  url: string;
  urls: Record<string, string>;
  output: () => string;
  /** Sends the signal and waits for the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const ROLE_LINE = /^(gateway|processor|loadgen|monitor|analyzer)\s+(http:\/\/\S+)/gm;

/** `nodeArgs` go to node before the script (e.g. --cpu-prof, which NODE_OPTIONS does not allow). */
export async function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 60_000,
  nodeArgs: string[] = [],
): Promise<CliProcess> {
  const roles = args[0] === 'up' ? ['processor', 'gateway', 'loadgen', 'monitor', 'analyzer'] : [args[0] ?? ''];
  const child = spawn(process.execPath, [...nodeArgs, CLI_MAIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const urls = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A process that did not start in time is not left behind for the next test to trip over.
      child.kill('SIGKILL');
      reject(new Error(`logperf ${args.join(' ')} did not start within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found: Record<string, string> = {};
      for (const [, role, url] of stdout.matchAll(ROLE_LINE)) if (role && url) found[role] = url;
      if (roles.every((role) => found[role])) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`logperf ${args.join(' ')} exited with ${code}:\n${stderr}`));
    });
  });
  return {
    child,
    url: urls[roles.at(-1) ?? ''] ?? '',
    urls,
    output: () => stdout + stderr,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}
