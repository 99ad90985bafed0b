// Every logperf pool names itself (role, process, its maximum) in application_name, so at start-up a new pool can check
// that all pools on the server together fit in its max_connections, before a busy moment finds out for it.
import { AppError } from '@logperf/core';

export interface PoolTag {
  role: string;
  /** Which pool: process id and its pool number inside that process. */
  owner: string;
  maxConnections: number;
}

const TAG = /^logperf-([a-z][a-z0-9-]*)\/(\d+\.\d+)\/(\d+)$/;
let poolsInProcess = 0;

/** A new pool's tag, unique per process and pool (PostgreSQL keeps at most 63 bytes of it). */
export function newPoolTag(role: string, maxConnections: number): PoolTag {
  return { role, owner: `${process.pid}.${++poolsInProcess}`, maxConnections };
}

export const applicationName = (tag: PoolTag) => `logperf-${tag.role}/${tag.owner}/${tag.maxConnections}`;

export function parseApplicationName(name: string): PoolTag | undefined {
  const match = TAG.exec(name);
  return match ? { role: match[1]!, owner: match[2]!, maxConnections: Number(match[3]) } : undefined;
}

export interface ServerConnections {
  maxConnections: number;
  /** superuser_reserved_connections (+ reserved_connections where the server has it): not ours to use. */
  reservedConnections: number;
  /** application_name of every client connection open now. */
  applicationNames: readonly string[];
}

/** Why the pools do not fit, or undefined when they do. Pure, so the arithmetic is tested on fixed inputs. */
export function poolBudgetProblem(server: ServerConnections, mine: PoolTag): string | undefined {
  const pools = new Map<string, PoolTag>([[mine.owner, mine]]);
  let otherClients = 0;
  for (const name of server.applicationNames) {
    const tag = parseApplicationName(name);
    if (tag) pools.set(tag.owner, tag);
    else otherClients++;
  }
  const declared = [...pools.values()].reduce((total, p) => total + p.maxConnections, 0);
  const usable = server.maxConnections - server.reservedConnections;
  if (declared <= usable) return undefined;
  const byRole = new Map<string, number[]>();
  for (const p of pools.values()) byRole.set(p.role, [...(byRole.get(p.role) ?? []), p.maxConnections]);
  const list = [...byRole].map(([role, sizes]) => `${role} ${sizes.join('+')}`).join(', ');
  return (
    `PostgreSQL allows ${server.maxConnections} connections (${server.reservedConnections} reserved), but the logperf ` +
    `pools on it may open ${declared} (${list}; this ${mine.role} pool: ${mine.maxConnections}); ` +
    `${otherClients} other client connection(s) are open now. Lower LOGPERF_PG_POOL_SIZE (--pg-pool-size), run fewer ` +
    `processes, or raise max_connections on the server.`
  );
}

type Query = (sql: string) => Promise<{ rows: Record<string, unknown>[] }>;

/** Reads the server's limits and open connections; throws a clear error when the pools cannot all fit. */
export async function checkPoolBudget(query: Query, mine: PoolTag): Promise<void> {
  const { rows } = await query(
    `SELECT current_setting('max_connections')::int AS max_connections,
  current_setting('superuser_reserved_connections')::int
    + coalesce(current_setting('reserved_connections', true)::int, 0) AS reserved,
  coalesce((SELECT array_agg(coalesce(application_name, '')) FROM pg_stat_activity
    WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()), '{}') AS names`,
  );
  const row = rows[0] ?? {};
  const problem = poolBudgetProblem(
    {
      maxConnections: Number(row.max_connections),
      reservedConnections: Number(row.reserved),
      applicationNames: (row.names as string[] | undefined) ?? [],
    },
    mine,
  );
  if (problem) throw new AppError('INVALID_CONFIG', problem);
}
