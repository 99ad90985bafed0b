// The settings file ./setup.sh writes at the repository root (.env.logperf): LOGPERF_* lines every role started alone reads,
// so `logperf monitor`, `logperf loadgen` and `logperf analyzer` in three terminals join the cluster setup.sh started.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseEnv } from 'node:util';
import { AppError } from '@logperf/core';

/** Next to the repository's package.json, found from this file (apps/cli/dist or apps/cli/src), not from the working directory. */
export const DEFAULT_ENV_FILE = fileURLToPath(new URL('../../../.env.logperf', import.meta.url));

/**
 * The process environment with the file's LOGPERF_* settings beneath it: a variable already set wins, flags win over both
 * (loadConfig). `LOGPERF_ENV_FILE` names another file; set to an empty string, no file is read.
 */
export function withEnvFile(env: NodeJS.ProcessEnv): { env: NodeJS.ProcessEnv; file: string | undefined } {
  const file = env.LOGPERF_ENV_FILE ?? DEFAULT_ENV_FILE;
  if (file === '' || !existsSync(file)) return { env, file: undefined };
  const settings = parseEnv(readFileSync(file, 'utf8'));
  const unknown = Object.keys(settings).filter((key) => !/^LOGPERF_[A-Z0-9_]+$/.test(key));
  if (unknown.length > 0)
    throw new AppError('INVALID_CONFIG', `${file}: only LOGPERF_* settings belong here, found ${unknown.join(', ')}`);
  return { env: { ...settings, ...env }, file };
}
