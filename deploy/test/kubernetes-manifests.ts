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

/** Throws, naming the object and the failing paths, when `object` breaks its kind's schema or is of no known kind. */
export function validateManifest(object: Manifest): void {
  const key = `${object.apiVersion}/${object.kind}` as keyof typeof MODELS;
  const Model = MODELS[key];
  if (Model === undefined) throw new Error(`${key} ${object.metadata?.name}: no schema for this kind`);
  try {
    new Model(object as never).validate();
  } catch (error) {
    throw new Error(`${key} ${object.metadata?.name}: ${(error as Error).message}`);
  }
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
