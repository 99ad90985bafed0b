// Loads deploy/kubernetes/*.yaml into objects, validates each against its Kubernetes OpenAPI schema (offline), and
// gives the views the cross-reference checks need: pod templates, their containers and the environment they see.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

export const kubernetesDir = fileURLToPath(new URL('../kubernetes/', import.meta.url));

/** The kinds the manifests may hold, each with its schema-checked model. */
const MODELS = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
} as const;

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
export interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
}
export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[]; subdomain?: string; restartPolicy?: string };
}
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    selector?: Record<string, string> & { matchLabels?: Record<string, string> };
    template?: PodTemplate;
    ports?: { name?: string; port: number; targetPort?: string | number }[];
    clusterIP?: string;
    completionMode?: string;
    completions?: number;
    parallelism?: number;
  };
}

interface Reads {
  keys: Set<string>;
  /** The validator listed the object's keys: a map (labels, data, resources), whose keys are all allowed. */
  enumerated: boolean;
}

/** `value` as the validator sees it, recording which properties of each object it reads (by object). */
function recording<T>(value: T, reads: Map<object, Reads>): T {
  if (value === null || typeof value !== 'object') return value;
  const target = value as object;
  const entry: Reads = reads.get(target) ?? { keys: new Set(), enumerated: false };
  reads.set(target, entry);
  return new Proxy(target, {
    get(object, key, receiver) {
      if (typeof key === 'string') entry.keys.add(key);
      return recording(Reflect.get(object, key, receiver) as unknown, reads);
    },
    ownKeys(object) {
      entry.enumerated = true;
      return Reflect.ownKeys(object);
    },
  }) as T;
}

/** Paths of fields the schema does not define (what `kubectl apply`'s strict field validation refuses). */
function unknownFields(value: unknown, reads: Map<object, Reads>, path: string): string[] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Object.entries(value);
  const seen = reads.get(value);
  return entries.flatMap(([key, child]) => {
    const childPath = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    const known = seen === undefined || Array.isArray(value) || seen.enumerated || seen.keys.has(key);
    return known ? unknownFields(child, reads, childPath) : [childPath];
  });
}

/**
 * Throws, naming the object and the failing paths, when `object` breaks its kind's schema, has a field the schema does
 * not define (the schemas allow extra fields; the API server's strict validation does not), or is of no known kind.
 */
export function validateManifest(object: Manifest): void {
  const key = `${object.apiVersion}/${object.kind}` as keyof typeof MODELS;
  const Model = MODELS[key];
  if (Model === undefined) throw new Error(`${key} ${object.metadata?.name}: no schema for this kind`);
  const model = new Model(object as never);
  const reads = new Map<object, Reads>();
  try {
    model.validate.call(recording(model, reads));
  } catch (error) {
    throw new Error(`${key} ${object.metadata?.name}: ${(error as Error).message}`);
  }
  const unknown = unknownFields(model, reads, '');
  if (unknown.length > 0) throw new Error(`${key} ${object.metadata?.name}: unknown field ${unknown.join(', ')}`);
}

/** Every object of every manifest file, with the file it came from. */
export function loadManifests(dir = kubernetesDir): { file: string; object: Manifest }[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
        return { file, object: document.toJS() as Manifest };
      }),
    );
}

/**
 * The environment a container sees: `given` (its envFrom), then its env list with Kubernetes' `$(NAME)` expansion (names
 * declared earlier, anything else stays as written) and field references read from `fields` (by field path).
 */
export function expandEnv(
  env: readonly EnvVar[],
  given: Record<string, string>,
  fields: Record<string, string> = {},
): Record<string, string> {
  const out = { ...given };
  for (const variable of env) {
    const fieldPath = variable.valueFrom?.fieldRef?.fieldPath;
    const value = fieldPath === undefined ? (variable.value ?? '') : (fields[fieldPath] ?? `<${fieldPath}>`);
    out[variable.name] = value.replace(/\$\((\w+)\)/g, (whole, name: string) => out[name] ?? whole);
  }
  return out;
}
