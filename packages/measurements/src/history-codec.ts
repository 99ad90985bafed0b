// How a monitor history row is kept on disk: one compact bytea (`packed`) instead of two verbose jsonb columns.
// Node figures go by position (no keys), rounded to what the dashboard and reports show, deflated; each latency
// histogram as its raw compressed HDR bytes (not base64). Rows written before as jsonb stay readable (`fromColumns`).
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { HistoryNode, HistoryPostgres } from './history-row.js';

const VERSION = 1;

/** The node figures in their stored order, each with the decimals kept (bytes: whole KiB). */
const FIGURES = [
  ['cpuPercent', 1],
  ['systemCpuPercent', 1],
  ['memoryPercent', 1],
  ['ioUtilPercent', 1],
  ['networkRxBytesPerSecond', 0],
  ['networkTxBytesPerSecond', 0],
  ['eventLoopLagP99Ms', 1],
  ['gcPauseMs', 1],
  ['eventsPerSecond', 1],
  ['rssBytes', 'KiB'],
  ['storeBytes', 'KiB'],
] as const;

type Stored = number | null;
const KIB = 1024;

function keep(value: number | null | undefined, precision: number | 'KiB'): Stored {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  if (precision === 'KiB') return Math.round(value / KIB);
  const scale = 10 ** precision;
  return Math.round(value * scale) / scale;
}

const restore = (value: Stored, precision: number | 'KiB') =>
  value === null ? null : precision === 'KiB' ? value * KIB : value;

type Waits = Record<string, number>;
/**
 * [id, role, up, storeInMemory, ...figures, waits?]: 1/0 for booleans, null where unknown; the node's backend waits
 * (ms, whole) last, absent in rows packed before they were kept.
 */
type PackedNode = [string, string, 0 | 1, 0 | 1 | null, ...(Stored | Waits)[]];

function packNode(node: HistoryNode): PackedNode {
  const inMemory = node.storeInMemory === undefined || node.storeInMemory === null ? null : node.storeInMemory ? 1 : 0;
  const figures = FIGURES.map(([key, p]) => keep(node[key], p));
  const waits = node.waitsMs
    ? Object.fromEntries(Object.entries(node.waitsMs).map(([k, ms]) => [k, Math.round(ms)]))
    : null;
  return [node.id, node.role, node.up ? 1 : 0, inMemory, ...figures, ...(waits ? [waits] : [])];
}

function unpackNode([id, role, up, inMemory, ...rest]: PackedNode): HistoryNode {
  const node = { id, role, up: up === 1 } as HistoryNode;
  FIGURES.forEach(([key, p], i) => (node[key] = restore((rest[i] as Stored | undefined) ?? null, p)));
  if (inMemory !== null) node.storeInMemory = inMemory === 1;
  const waits = rest[FIGURES.length];
  if (waits !== undefined && waits !== null && typeof waits === 'object') node.waitsMs = waits;
  return node;
}

/**
 * Layout: version (1 byte), length of the deflated header (4 bytes), the header (JSON `{n: nodes, h: [component,
 * bytes][]}` deflated), then each histogram's bytes in the header's order.
 */
export function packRow(
  nodes: readonly HistoryNode[],
  latency: Record<string, string>,
  postgres: HistoryPostgres | null = null,
): Buffer {
  const histograms = Object.entries(latency).map(([component, base64]) => [component, Buffer.from(base64, 'base64')]);
  const header = deflateRawSync(
    JSON.stringify({
      n: nodes.map(packNode),
      h: histograms.map(([c, b]) => [c, (b as Buffer).length]),
      ...(postgres ? { p: postgres } : {}),
    }),
  );
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(VERSION, 0);
  prefix.writeUInt32BE(header.length, 1);
  return Buffer.concat([prefix, header, ...histograms.map(([, b]) => b as Buffer)]);
}

export interface UnpackedRow {
  nodes: HistoryNode[];
  latency: Record<string, string>;
  postgres: HistoryPostgres | null;
}

export function unpackRow(packed: Uint8Array): UnpackedRow {
  const bytes = Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength);
  const version = bytes.readUInt8(0);
  if (version !== VERSION) throw new Error(`monitor history row version ${version}: this build reads ${VERSION}`);
  const headerEnd = 5 + bytes.readUInt32BE(1);
  const header = JSON.parse(inflateRawSync(bytes.subarray(5, headerEnd)).toString('utf8')) as {
    n: PackedNode[];
    h: [string, number][];
    p?: HistoryPostgres;
  };
  const latency: Record<string, string> = {};
  let at = headerEnd;
  for (const [component, length] of header.h) {
    latency[component] = bytes.subarray(at, at + length).toString('base64');
    at += length;
  }
  return { nodes: header.n.map(unpackNode), latency, postgres: header.p ?? null };
}

/** A stored row's nodes and latency: from `packed`, or from the jsonb columns of a row written before it. */
export function fromColumns(row: {
  packed: Uint8Array | null;
  nodes: HistoryNode[] | null;
  latency: Record<string, string> | null;
}): UnpackedRow {
  return row.packed ? unpackRow(row.packed) : { nodes: row.nodes ?? [], latency: row.latency ?? {}, postgres: null };
}

/** The columns a table of history rows gains (run after its CREATE TABLE): rows before keep their jsonb. */
/** Spelled out per table: SQL text here never splices a name in (the reliability tests scan for it). */
const PACKED_COLUMN_SQL = {
  monitor_history: [
    'ALTER TABLE monitor_history ADD COLUMN IF NOT EXISTS packed bytea',
    'ALTER TABLE monitor_history ALTER COLUMN nodes DROP NOT NULL',
    'ALTER TABLE monitor_history ALTER COLUMN latency DROP NOT NULL',
  ],
  monitor_history_minutes: [
    'ALTER TABLE monitor_history_minutes ADD COLUMN IF NOT EXISTS packed bytea',
    'ALTER TABLE monitor_history_minutes ALTER COLUMN nodes DROP NOT NULL',
    'ALTER TABLE monitor_history_minutes ALTER COLUMN latency DROP NOT NULL',
  ],
} as const;

export const packedColumnSql = (table: keyof typeof PACKED_COLUMN_SQL): readonly string[] => PACKED_COLUMN_SQL[table];
