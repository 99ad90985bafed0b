// deploy/kubernetes: every object is valid against its Kubernetes schema, and the parts fit together: selectors match
// pod labels, Services reach container ports, the Indexed Job's size is the coordinator's segment count, each worker is
// named and reachable by its completion index, and every variable set is one the code reads and accepts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, SERVICE_PORTS } from '@logperf/core';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../apps/cli/src/commands.js';
import {
  expandEnv,
  loadManifests,
  validateManifest,
  type Container,
  type Manifest,
  type PodTemplate,
} from './kubernetes-manifests.js';
import { COORDINATOR_ENV, KNOWN_ENV_NAMES, WORKER } from './worker-interface.js';

const manifests = loadManifests();
const objects = manifests.map((m) => m.object);
const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
const named = (kind: string, name: string): Manifest => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name}`);
  return found;
};
const configMap = named('ConfigMap', 'logperf-config');
const coordinator = named('Deployment', 'logperf-loadgen');
const workers = named('Job', 'logperf-worker');
const workloads = [coordinator, workers];
const template = (workload: Manifest): PodTemplate => workload.spec!.template!;
const onlyContainer = (workload: Manifest): Container => {
  expect(template(workload).spec.containers).toHaveLength(1);
  return template(workload).spec.containers[0]!;
};
const INDEX_FIELD = "metadata.annotations['batch.kubernetes.io/job-completion-index']";
/** The token comes from the Secret the user creates (docs/DISTRIBUTED.md); never in a manifest. */
const TOKEN_SECRET = 'logperf-token';

/** What a container's process sees, with a token standing in for the Secret's and `fields` for the downward API. */
function containerEnv(container: Container, fields: Record<string, string> = {}): Record<string, string> {
  const given: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(given, named('ConfigMap', source.configMapRef.name).data);
    if (source.secretRef?.name === TOKEN_SECRET) given.LOGPERF_API_TOKEN = 'a-token-of-at-least-16-characters';
  }
  return expandEnv(container.env ?? [], given, fields);
}

const isSubset = (part: Record<string, string>, whole: Record<string, string>) =>
  Object.entries(part).every(([key, value]) => whole[key] === value);

describe('deploy/kubernetes', () => {
  it('holds a ConfigMap, the coordinator (Deployment + Service) and the workers (Indexed Job + headless Service)', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/logperf-config',
      'Deployment/logperf-loadgen',
      'Job/logperf-worker',
      'Service/logperf-loadgen',
      'Service/logperf-workers',
    ]);
  });

  it('validates every object against its Kubernetes schema', () => {
    for (const { file, object } of manifests) expect(() => validateManifest(object), file).not.toThrow();
  });

  it('rejects an invalid object and an unknown kind (the validator is not vacuous)', () => {
    const badJob = structuredClone(workers);
    (badJob.spec as Record<string, unknown>).completions = 'ten';
    expect(() => validateManifest(badJob)).toThrow(/completions must be integer/);
    const badService = structuredClone(named('Service', 'logperf-loadgen'));
    (badService.spec!.ports![0] as Record<string, unknown>).port = 'http';
    expect(() => validateManifest(badService)).toThrow(/port must be integer/);
    expect(() => validateManifest({ ...configMap, kind: 'ConfigMapp' })).toThrow(/no schema/);
    // A misspelt field: the schemas allow it, the API server's strict field validation does not, nor does this.
    const typo = structuredClone(workers) as unknown as { spec: { template: { spec: Record<string, unknown> } } };
    typo.spec.template.spec.subDomain = 'logperf-workers';
    expect(() => validateManifest(typo as unknown as Manifest)).toThrow(
      /unknown field spec\.template\.spec\.subDomain$/,
    );
    const typoInContainer = structuredClone(workers);
    (typoInContainer.spec!.template!.spec.containers[0] as unknown as Record<string, unknown>).argz = ['worker'];
    expect(() => validateManifest(typoInContainer)).toThrow(
      /unknown field spec\.template\.spec\.containers\[0\]\.argz$/,
    );
  });

  it('selects each workload by its pod labels, and each Service reaches a named container port', () => {
    for (const workload of workloads) {
      const selector = workload.spec!.selector?.matchLabels;
      if (selector) expect(isSubset(selector, template(workload).metadata.labels), workload.metadata.name).toBe(true);
    }
    for (const service of ofKind('Service')) {
      const selected = workloads.filter((w) => isSubset(service.spec!.selector!, template(w).metadata.labels));
      expect(selected, service.metadata.name).toHaveLength(1);
      const container = onlyContainer(selected[0]!);
      for (const port of service.spec!.ports!) {
        const target = container.ports!.find((p) => p.name === port.targetPort || p.containerPort === port.targetPort);
        expect(target, `${service.metadata.name}:${port.port}`).toBeDefined();
        expect(target!.containerPort).toBe(port.port);
      }
    }
    expect(named('Service', 'logperf-loadgen').spec!.ports![0]!.port).toBe(SERVICE_PORTS.loadgen);
    expect(named('Service', 'logperf-workers').spec!.ports![0]!.port).toBe(WORKER.port);
  });

  it('runs `logperf loadgen` as the coordinator of Kafka workers, as many segments as the Job has completions', () => {
    const container = onlyContainer(coordinator);
    expect(container.args).toEqual(['loadgen']);
    expect(COMMANDS.loadgen).toBeDefined();
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/health', port: 'http' });
    const env = containerEnv(container);
    expect(env[COORDINATOR_ENV.workers]).toBe('kafka');
    expect(Number(env[COORDINATOR_ENV.segments])).toBe(workers.spec!.completions);
    const config = loadConfig(env);
    expect(config).toMatchObject({ host: '0.0.0.0', bus: 'kafka' });
    expect(config.allowedHosts).toContain(named('Service', 'logperf-loadgen').metadata.name);
  });

  it('runs the workers as an Indexed Job, each named after its index and reachable under the headless Service', () => {
    const spec = workers.spec!;
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.parallelism).toBe(spec.completions);
    const headless = named('Service', 'logperf-workers');
    expect(headless.spec!.clusterIP).toBe('None');
    expect(template(workers).spec.subdomain).toBe(headless.metadata.name);
    const container = onlyContainer(workers);
    expect(container.args).toEqual([WORKER.command]);
    expect(container.readinessProbe?.httpGet).toEqual({ path: WORKER.healthPath, port: 'http' });
    expect(container.env![0]).toEqual({
      name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { fieldPath: INDEX_FIELD } },
    });
    for (const index of [0, 7]) {
      const env = containerEnv(container, { [INDEX_FIELD]: String(index) });
      // An Indexed Job's pod has the host name <job>-<index>: the worker's name is that host name.
      const hostname = `${workers.metadata.name}-${index}`;
      expect(env[WORKER.env.name]).toBe(hostname);
      expect(Number(env[WORKER.env.port])).toBe(WORKER.port);
      const config = loadConfig(env);
      expect(config).toMatchObject({ host: '0.0.0.0', bus: 'kafka' });
      expect(config.allowedHosts).toEqual([`${hostname}.${headless.metadata.name}`]);
      const announced = new URL(env[WORKER.env.url]!);
      expect(announced.hostname).toBe(config.allowedHosts[0]);
      expect(Number(announced.port)).toBe(WORKER.port);
    }
  });

  it('shares one ConfigMap and the token Secret, and sets only variables the code reads', () => {
    for (const workload of workloads) {
      const container = onlyContainer(workload);
      expect(container.envFrom).toEqual([
        { configMapRef: { name: configMap.metadata.name } },
        { secretRef: { name: TOKEN_SECRET } },
      ]);
      for (const name of (container.env ?? []).map((v) => v.name).filter((n) => n.startsWith('LOGPERF_')))
        expect(KNOWN_ENV_NAMES.has(name), `${workload.metadata.name}: ${name}`).toBe(true);
    }
    for (const name of Object.keys(configMap.data!)) expect(KNOWN_ENV_NAMES.has(name), `ConfigMap: ${name}`).toBe(true);
    expect(configMap.data!.LOGPERF_API_TOKEN).toBeUndefined();
  });

  it('is applied as docs/DISTRIBUTED.md says: the objects, labels, Secret and files it names exist', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../docs/DISTRIBUTED.md', import.meta.url)), 'utf8');
    const section = doc.slice(doc.indexOf('## Running 10 workers on Kubernetes'), doc.indexOf('## Docker Compose'));
    const references = [...section.matchAll(/\b(deployment|service|job)\/([\w-]+)/gi)];
    expect(references.length).toBeGreaterThan(0);
    for (const [whole, kind, name] of references)
      expect(
        objects.some((o) => o.kind.toLowerCase() === kind!.toLowerCase() && o.metadata.name === name),
        whole,
      ).toBe(true);
    for (const [whole, key, value] of section.matchAll(/-l ([\w./-]+)=([\w-]+)/g))
      expect(
        workloads.some((w) => template(w).metadata.labels[key!] === value),
        whole,
      ).toBe(true);
    expect(section).toContain(`secret generic ${TOKEN_SECRET} --from-literal=LOGPERF_API_TOKEN=`);
    for (const [, file] of section.matchAll(/deploy\/kubernetes\/([\w-]+\.yaml)/g))
      expect(
        manifests.some((m) => m.file === file),
        file,
      ).toBe(true);
    expect(section).toContain(`${workers.spec!.completions} completions`);
  });

  it('runs the image deploy/Dockerfile builds, which exposes every port the pods name', () => {
    const compose = parse(readFileSync(fileURLToPath(new URL('../docker-compose.yml', import.meta.url)), 'utf8'), {
      merge: true,
    }) as { services: Record<string, { image?: string }> };
    const dockerfile = readFileSync(fileURLToPath(new URL('../Dockerfile', import.meta.url)), 'utf8');
    const exposed = /^EXPOSE (.+)$/m.exec(dockerfile)![1]!.split(' ').map(Number);
    for (const workload of workloads) {
      const container = onlyContainer(workload);
      expect(container.image).toBe(compose.services.loadgen!.image);
      for (const port of container.ports ?? []) expect(exposed).toContain(port.containerPort);
    }
  });
});
