#!/usr/bin/env node
// Entry point of `logperf`: parses the command line and runs the chosen roles or test.
import { parseArgs } from 'node:util';
import { AppError, createLogger, loadConfig } from '@logperf/core';
import { COMMANDS, helpText } from './commands.js';
import { removeDataDirs } from '@logperf/cluster';
import { startRoles, type Role } from './roles.js';
import { runAnalyze } from './analyze-command.js';
import { runDemo } from './demo-command.js';
import { doctor, printDoctor } from './doctor-command.js';
import { runTestCommand } from './test-command.js';
import { runCapacityCommand } from './capacity-command.js';
import { withEnvFile } from './env-file.js';
import { startRemoteWorker, startWorkerNode } from '@logperf/loadgen';

const REAL_BACKENDS = { bus: 'kafka', store: 'postgres', cache: 'redis' } as const;
const SERVICE_ROLES: Record<string, Role[]> = {
  up: ['processor', 'gateway', 'loadgen', 'monitor', 'analyzer'],
  gateway: ['gateway'],
  processor: ['processor'],
  loadgen: ['loadgen'],
  monitor: ['monitor'],
  analyzer: ['analyzer'],
};

function positiveInt(value: string | boolean | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new AppError('VALIDATION_FAILED', `--${name} must be an integer from 1 to 64, got '${String(value)}'`);
  return n;
}

/** Commands that join a running system read ./setup.sh's settings file; `up`, `demo` and `--in-process` start their own. */
const JOINS_SETUP = new Set([
  'burst',
  'ramp',
  'analyze',
  'doctor',
  'worker',
  ...Object.keys(SERVICE_ROLES).filter((c) => c !== 'up'),
]);

const waitForSignal = () =>
  new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });

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
  // `analyze --compare A B` takes the candidate as the one positional argument.
  const { values, positionals } = parseArgs({
    args: rest,
    options: spec.flags,
    strict: true,
    allowPositionals: command === 'analyze',
  });
  if (values.help) {
    console.log(helpText(command));
    return 0;
  }
  const flags: Record<string, string | boolean | undefined> = { ...(values.real ? REAL_BACKENDS : {}), ...values };
  if (SERVICE_ROLES[command]?.length === 1 && typeof values.port === 'string') flags[`${command}-port`] = values.port;
  const fromFile = JOINS_SETUP.has(command) && !values['in-process'] ? withEnvFile(process.env) : undefined;
  if (fromFile?.file) console.error(`logperf: settings from ${fromFile.file} (written by ./setup.sh)`);
  const config = loadConfig(fromFile?.env ?? process.env, flags);
  if (values.fresh === true && config.store === 'pglite') await removeDataDirs(config.pgliteDir);
  const logger = createLogger(`logperf-${command}`, values['in-process'] ? 'warn' : config.logLevel);
  const instances = positiveInt(values.instances, 'instances', 1);

  if (command === 'burst' || command === 'ramp') {
    if (!values['in-process'])
      return (
        await runTestCommand(
          command,
          values,
          {
            loadgen: typeof values.url === 'string' ? values.url : `http://127.0.0.1:${config.ports.loadgen}`,
            monitor: config.monitorUrl ?? `http://127.0.0.1:${config.ports.monitor}`,
          },
          config.apiToken,
        )
      ).code;
    const started = await startRoles(SERVICE_ROLES.up!, config, logger, {
      instances,
      ports: { processor: 0, gateway: 0, loadgen: 0, monitor: 0 },
    });
    try {
      const urls = { loadgen: started.urlOf('loadgen')!, monitor: started.urlOf('monitor') };
      return (await runTestCommand(command, values, urls, config.apiToken)).code;
    } finally {
      await started.close();
    }
  }

  if (command === 'doctor') return printDoctor(await doctor(config));

  if (command === 'worker') {
    const node = await startWorkerNode({
      host: config.host,
      port: config.workerPort,
      logger,
      apiToken: config.apiToken,
      allowedHosts: config.allowedHosts,
    });
    const worker = await startRemoteWorker({
      brokers: config.kafkaBrokers,
      topicPrefix: config.loadgenWorkerTopicPrefix,
      name: config.workerName,
      url: config.workerUrl,
      apiToken: config.apiToken,
      logger,
    });
    console.log(`worker ${worker.name} (${node.url}) waiting for tests on ${config.kafkaBrokers.join(',')}`);
    const signal = await waitForSignal();
    logger.info({ signal }, 'worker shutting down: leaving its tests');
    await worker.close();
    await node.close();
    return 0;
  }

  if (command === 'analyze') {
    const baseline = typeof values.compare === 'string' ? values.compare : undefined;
    if (baseline !== undefined && positionals.length !== 1)
      throw new AppError('VALIDATION_FAILED', '--compare takes two test ids: --compare BASELINE CANDIDATE');
    if (baseline === undefined && positionals.length > 0)
      throw new AppError('VALIDATION_FAILED', `unexpected argument '${positionals[0]}'`);
    return runAnalyze({
      url: typeof values.url === 'string' ? values.url : `http://127.0.0.1:${config.ports.analyzer}`,
      testId: typeof values.test === 'string' ? values.test : undefined,
      compare: baseline === undefined ? undefined : [baseline, positionals[0]!],
      json: values.json === true,
      token: config.apiToken,
    });
  }

  if (command === 'capacity') return runCapacityCommand(values, config, instances);

  if (command === 'demo') {
    const started = await startRoles(SERVICE_ROLES.up!, config, createLogger('logperf-demo', 'warn'), { instances });
    try {
      const code = await runDemo(started, values, config);
      if (values.once) return code;
      console.log(`\ndashboard: ${started.urlOf('monitor')}/  — the system keeps running; Ctrl-C stops it`);
      await waitForSignal();
      return code;
    } finally {
      await started.close();
    }
  }

  const started = await startRoles(SERVICE_ROLES[command] ?? [], config, logger, { instances });
  if (
    SERVICE_ROLES[command]!.length === 1 &&
    (config.store === 'pglite' || (config.bus === 'memory' && started.backends))
  )
    console.error(
      `logperf: ${command} runs on embedded backends and shares no data with other processes; run ./setup.sh first (or pass --real) to join one system`,
    );
  for (const role of started.roles) {
    const backends = started.backends
      ? `  (bus ${started.backends.bus.kind}, store ${started.backends.store.kind}, cache ${started.backends.cache.kind})`
      : `  (results in ${config.store})`;
    const where =
      role.role === 'loadgen'
        ? `  (results in ${config.store})`
        : role.role === 'monitor'
          ? `  (dashboard ${role.url}/)`
          : backends;
    console.log(`${role.role.padEnd(10)} ${role.url}${where}`);
  }
  const signal = await waitForSignal();
  logger.info({ signal }, 'shutting down: draining in-flight work');
  await started.close();
  return 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AppError) console.error(`logperf: ${error.message}`);
    else if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
      console.error(`logperf: ${error.message}`);
    else console.error(error);
    process.exit(1);
  },
);
