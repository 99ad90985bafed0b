// 100,000 events: gateway → Kafka → 3 processor processes → PostgreSQL, one processor SIGKILLed mid-run and restarted.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { Pool as HttpPool } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeReal, kafkaProbe, postgresProbe, redisProbe } from '../../../packages/cluster/test/real-services.js';
import { startCli, type CliProcess } from './cli-process.js';
import { sleep } from '@logperf/core';

const TOTAL = 100_000;
const BATCH = 500;
const CONCURRENCY = 4;

describeReal('pipeline on Kafka + PostgreSQL + Redis', [kafkaProbe, postgresProbe, redisProbe], () => {
  const suffix = `${Date.now()}_${process.pid}`;
  const env = {
    LOGPERF_KAFKA_TOPIC: `log-events-it-${suffix}`,
    LOGPERF_PROCESSOR_GROUP: `log-processors-it-${suffix}`,
    LOGPERF_STORE_TABLE: `log_events_it_${suffix}`,
    LOGPERF_LOG_LEVEL: 'warn',
  };
  const real = ['--real', '--port', '0'];
  const db = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test', max: 2 });
  const processes: CliProcess[] = [];

  beforeAll(async () => {
    // The first processor creates the topic and table; the others then join its group.
    processes.push(await startCli(['processor', ...real], env));
    processes.push(
      ...(await Promise.all([startCli(['processor', ...real], env), startCli(['processor', ...real], env)])),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop('SIGTERM')));
    await db.query(`DROP TABLE IF EXISTS ${env.LOGPERF_STORE_TABLE}`);
    await db.end();
  });

  it('stores every acknowledged event exactly once although a processor was killed mid-run', async () => {
    const gateway = await startCli(['gateway', ...real], env);
    processes.push(gateway);
    const http = new HttpPool(gateway.url, { connections: CONCURRENCY });
    const acknowledged: string[] = [];
    let retries = 0;
    let nextBatch = 0;
    const batches = TOTAL / BATCH;
    let killedAt = -1;

    const sendBatch = async (ids: string[]) => {
      const body = ids
        .map((id, i) =>
          JSON.stringify({ id, level: 'INFO', message: `event ${i}`, source: `it-${suffix}`, timestamp: Date.now() }),
        )
        .join('\n');
      for (let attempt = 0; attempt < 50; attempt++) {
        const res = await http.request({
          method: 'POST',
          path: '/api/logs',
          body,
          headers: { 'content-type': 'application/x-ndjson' },
        });
        await res.body.text();
        if (res.statusCode === 202) return void acknowledged.push(...ids);
        expect([429, 503]).toContain(res.statusCode);
        retries++;
        await sleep(200);
      }
      throw new Error('a batch was refused 50 times');
    };

    const worker = async () => {
      while (nextBatch < batches) {
        const index = nextBatch++;
        if (index === Math.floor(batches * 0.3)) {
          killedAt = index;
          await processes[1]!.stop('SIGKILL');
          setTimeout(() => void startCli(['processor', ...real], env).then((p) => processes.push(p)), 3000);
        }
        await sendBatch(Array.from({ length: BATCH }, () => randomUUID()));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    await http.close();
    expect(killedAt).toBeGreaterThan(0);
    expect(acknowledged.length).toBe(TOTAL);

    const table = env.LOGPERF_STORE_TABLE;
    const deadline = Date.now() + 180_000;
    let rows = 0;
    while (Date.now() < deadline) {
      rows = Number((await db.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
      if (rows >= TOTAL) break;
      await sleep(500);
    }
    const {
      rows: [check],
    } = await db.query<{ n: string; distinct_ids: string; found: string }>(
      `SELECT count(*) AS n, count(DISTINCT id) AS distinct_ids, count(*) FILTER (WHERE id = ANY($1::uuid[])) AS found FROM ${table}`,
      [acknowledged],
    );
    expect({
      rows: Number(check?.n),
      distinct: Number(check?.distinct_ids),
      acknowledgedFound: Number(check?.found),
    }).toEqual({
      rows: TOTAL,
      distinct: TOTAL,
      acknowledgedFound: TOTAL,
    });
    console.log(
      `pipeline: ${TOTAL} acknowledged, ${rows} stored exactly once, ${retries} retried batches, processor killed at batch ${killedAt}`,
    );
  }, 300_000);
});
