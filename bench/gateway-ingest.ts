// Benchmark: gateway ingest (Fastify, schema validation, memory-bus produce, 202) against a bare Node `http` server
// that JSON.parses the same bodies and answers 202. Same client, batch size and concurrency, each server in its own
// process, closed loop for the same time, in one run.
// Usage: npx tsx bench/gateway-ingest.ts [--seconds 10] [--batch 100] [--connections 16] [--format json|ndjson] [--bus memory|kafka]
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createLogger, LatencyHistogram, loadConfig } from '@logperf/core';
import { buildGatewayApp, createBus } from '@logperf/cluster';
import { NodeRuntime } from '@logperf/platform';
import { Pool } from 'undici';

const { values } = parseArgs({
  options: {
    serve: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    batch: { type: 'string', default: '100' },
    connections: { type: 'string', default: '16' },
    format: { type: 'string', default: 'json' },
    /** The gateway's bus: memory (default, isolates the HTTP path) or kafka (a fresh topic on 127.0.0.1:9092). */
    bus: { type: 'string', default: 'memory' },
    /** Write a V8 CPU profile of each server process into this folder. */
    'cpu-prof-dir': { type: 'string' },
  },
});

/** Child mode: listen on a free port, print it, serve until killed. */
async function serve(kind: string): Promise<void> {
  // A clean exit on SIGINT, so --cpu-prof writes its profile.
  process.on('SIGINT', () => process.exit(0));
  if (kind === 'bare') {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const body: unknown = req.headers['content-type']?.includes('ndjson')
          ? text
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as unknown)
          : JSON.parse(text);
        const accepted = Array.isArray(body) ? body.length : 1;
        res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted }));
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(`PORT ${(server.address() as { port: number }).port}`));
    return;
  }
  const config = loadConfig({
    ...process.env,
    LOGPERF_BUS: values.bus === 'kafka' ? 'kafka' : 'memory',
    LOGPERF_KAFKA_TOPIC: `bench-gateway-${process.pid}`,
  });
  const bus = await createBus(config);
  const app = buildGatewayApp({
    bus,
    node: new NodeRuntime('bench-gateway', 'gateway', 'accepted'),
    logger: createLogger('bench-gateway', 'warn'),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  console.log(`PORT ${(app.server.address() as { port: number }).port}`);
}

function startServer(kind: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const profile = values['cpu-prof-dir'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof-dir']] : [];
  const child = spawn(
    process.execPath,
    [...profile, ...process.execArgv, fileURLToPath(import.meta.url), '--serve', kind, '--bus', values.bus ?? 'memory'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const port = /PORT (\d+)/.exec(chunk.toString())?.[1];
      if (port)
        resolve({
          url: `http://127.0.0.1:${port}`,
          stop: () =>
            new Promise<void>((done) => {
              child.removeAllListeners('exit');
              child.once('exit', () => done());
              child.kill('SIGINT');
            }),
        });
    });
    child.once('exit', (code) => reject(new Error(`${kind} server exited ${code}`)));
  });
}

export function eventBodies(count: number, batch: number, format: string): string[] {
  return Array.from({ length: count }, (_, b) => {
    const events = Array.from({ length: batch }, (_, j) => ({
      id: randomUUID(),
      level: 'INFO',
      message: `bench event ${b}.${j} ${'x'.repeat(120)}`,
      source: `bench-${j % 8}`,
      timestamp: Date.now(),
    }));
    return format === 'ndjson' ? events.map((e) => JSON.stringify(e)).join('\n') : JSON.stringify(events);
  });
}

/** Closed loop: `connections` workers each POST one body after another until time is up. */
async function drive(
  url: string,
  bodies: string[],
  seconds: number,
  connections: number,
  batch: number,
  format: string,
) {
  const pool = new Pool(url, { connections, pipelining: 1 });
  const contentType = format === 'ndjson' ? 'application/x-ndjson' : 'application/json';
  const service = LatencyHistogram.create();
  const statuses: Record<number, number> = {};
  let accepted = 0;
  let next = 0;
  const refusals: string[] = [];
  const post = async () => {
    const sentAt = performance.now();
    const res = await pool.request({
      method: 'POST',
      path: '/api/logs',
      body: bodies[next++ % bodies.length]!,
      headers: { 'content-type': contentType },
    });
    const text = await res.body.text();
    statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
    if (res.statusCode !== 202 && refusals.length < 3) refusals.push(`${res.statusCode} ${text.slice(0, 200)}`);
    if (res.statusCode === 202) accepted += batch;
    return performance.now() - sentAt;
  };
  const warmUntil = performance.now() + 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < warmUntil) await post();
    }),
  );
  accepted = 0;
  for (const k of Object.keys(statuses)) delete statuses[Number(k)];
  const start = performance.now();
  const end = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < end) service.recordMs(await post());
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  const s = service.summary();
  return {
    eventsPerSecond: Math.round(accepted / elapsed),
    requestsPerSecond: Math.round(service.count / elapsed),
    statuses,
    refusals,
    serviceMs: { p50: s.p50, p99: s.p99 },
  };
}

async function main(): Promise<void> {
  const seconds = Number(values.seconds);
  const batch = Number(values.batch);
  const connections = Number(values.connections);
  const format = values.format ?? 'json';
  const bodies = eventBodies(50, batch, format);
  const results: Record<string, Awaited<ReturnType<typeof drive>>> = {};
  for (const kind of ['bare', 'gateway']) {
    const server = await startServer(kind);
    try {
      results[kind] = await drive(server.url, bodies, seconds, connections, batch, format);
    } finally {
      await server.stop();
    }
  }
  const ratio = results.gateway!.eventsPerSecond / results.bare!.eventsPerSecond;
  console.log(
    JSON.stringify(
      {
        bench: 'gateway-ingest',
        seconds,
        batch,
        connections,
        format,
        reference: { name: 'bare node:http + JSON.parse → 202', ...results.bare },
        ours: { name: `gateway (Fastify, zod validation, ${values.bus} bus)`, ...results.gateway },
        ratio: Number(ratio.toFixed(3)),
      },
      null,
      2,
    ),
  );
  console.log(
    `| ${new Date().toISOString().slice(0, 10)} | \`npx tsx bench/gateway-ingest.ts --seconds ${seconds} --batch ${batch} --connections ${connections} --format ${format} --bus ${values.bus}\` | ${results.gateway!.eventsPerSecond} | ${results.bare!.eventsPerSecond} | ${ratio.toFixed(3)} |`,
  );
}

if (values.serve) await serve(values.serve);
else await main();
