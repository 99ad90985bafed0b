// The settings file ./setup.sh writes: read beneath the environment, only LOGPERF_* keys, and what a lone role says without it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, sleep } from '@logperf/core';
import { withEnvFile } from '../src/env-file.js';
import { startCli } from './cli-process.js';

const fileWith = (text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'logperf-env-')), '.env.logperf');
  writeFileSync(file, text);
  return file;
};

describe('the .env.logperf settings file', () => {
  it('gives its settings to the config, below variables already set', () => {
    const file = fileWith(
      '# written by ./setup.sh\nLOGPERF_STORE=postgres\nLOGPERF_GATEWAY_PORT=9190\nLOGPERF_BUS=kafka\n',
    );
    const { env, file: read } = withEnvFile({ LOGPERF_ENV_FILE: file, LOGPERF_BUS: 'memory' });
    expect(read).toBe(file);
    const config = loadConfig(env, {});
    expect(config.store).toBe('postgres');
    expect(config.ports.gateway).toBe(9190);
    expect(config.bus).toBe('memory');
  });

  it('is skipped when missing or when LOGPERF_ENV_FILE is empty', () => {
    expect(withEnvFile({ LOGPERF_ENV_FILE: '/nonexistent/.env.logperf' }).file).toBeUndefined();
    const file = fileWith('LOGPERF_STORE=postgres\n');
    expect(withEnvFile({ LOGPERF_ENV_FILE: '' }).file).toBeUndefined();
    expect(withEnvFile({ LOGPERF_ENV_FILE: file }).env.LOGPERF_STORE).toBe('postgres');
  });

  it('refuses a setting that is not LOGPERF_*', () => {
    const file = fileWith('LOGPERF_STORE=postgres\nNODE_OPTIONS=--inspect\n');
    expect(() => withEnvFile({ LOGPERF_ENV_FILE: file })).toThrow(/only LOGPERF_\* settings.*NODE_OPTIONS/);
  });

  it('a role started alone on embedded backends says how to join one system', async () => {
    const cli = await startCli(['monitor', '--port', '0'], { LOGPERF_ENV_FILE: '', LOGPERF_LOG_LEVEL: 'warn' });
    try {
      // stderr and stdout are two pipes: give the hint (written before the role's line) a moment to arrive.
      for (let i = 0; i < 20 && !cli.output().includes('setup.sh'); i++) await sleep(100);
      expect(cli.output()).toMatch(/embedded backends.*\.\/setup\.sh.*--real/);
    } finally {
      await cli.stop();
    }
  });
});
