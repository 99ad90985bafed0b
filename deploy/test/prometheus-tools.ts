// Debian's prometheus and promtool as test dependencies: probes in the describeReal style (CI=true: missing fails).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ServiceProbe } from '../../packages/cluster/test/real-services.js';

export const run = promisify(execFile);
export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN || 'prometheus';
export const PROMTOOL_BIN = process.env.PROMTOOL_BIN || 'promtool';
export const prometheusDir = fileURLToPath(new URL('../prometheus/', import.meta.url));

const binaryProbe = (bin: string, pkg: string): ServiceProbe => ({
  name: `${bin} (apt-get install ${pkg})`,
  async check() {
    await run(bin, ['--version'], { timeout: 5_000 });
  },
});

export const prometheusProbe = binaryProbe(PROMETHEUS_BIN, 'prometheus');
export const promtoolProbe = binaryProbe(PROMTOOL_BIN, 'prometheus');
