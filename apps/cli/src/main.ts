#!/usr/bin/env node
// Entry point of `logperf`: parses the command line and runs the chosen roles until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { AppError, createLogger, loadConfig } from '@logperf/core';
import { createBackends, startGateway, startProcessor, type RunningRole } from '@logperf/cluster';
import { COMMANDS, helpText } from './commands.js';

const REAL_BACKENDS = { bus: 'kafka', store: 'postgres', cache: 'redis' } as const;

function positiveInt(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new AppError('VALIDATION_FAILED', `--${name} must be an integer from 1 to 64, got '${String(value)}'`);
  return n;
}

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(helpText(rest[0]));
    return command === undefined ? 2 : 0;
  }
  const spec = COMMANDS[command];
  if (!spec) {
    console.error(`Unknown command '${command}'.\n\n${helpText()}`);
    return 2;
  }
  const { values } = parseArgs({ args: rest, options: spec.flags, strict: true, allowPositionals: false });
  if (values.help) {
    console.log(helpText(command));
    return 0;
  }
  const flags: Record<string, string | boolean | undefined> = { ...(values.real ? REAL_BACKENDS : {}), ...values };
  if (command !== 'up' && typeof values.port === 'string') flags[`${command}-port`] = values.port;
  const config = loadConfig(process.env, flags);
  const logger = createLogger(`logperf-${command}`, config.logLevel);
  const instances = positiveInt(values.instances, 'instances', 1);

  const backends = await createBackends(config);
  const roles: RunningRole[] = [];
  if (command === 'up' || command === 'processor') roles.push(await startProcessor({ config, backends, logger, instances }));
  if (command === 'up' || command === 'gateway') roles.push(await startGateway({ config, backends, logger }));
  for (const role of roles) console.log(`${role.role.padEnd(10)} ${role.url}  (bus ${backends.bus.kind}, store ${backends.store.kind}, cache ${backends.cache.kind})`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info({ signal }, 'shutting down: draining in-flight work');
  // Gateway first (stop taking events), then processors (finish and commit), then the backends.
  for (const role of roles.reverse()) await role.close();
  await backends.close();
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AppError) console.error(`logperf: ${error.message}`);
    else if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) console.error(`logperf: ${error.message}`);
    else console.error(error);
    process.exit(1);
  },
);
