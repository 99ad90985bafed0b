// Reference for the store path: `psql \copy` of N rows shaped like ours into a scratch PostgreSQL table.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';

const DATABASE_URL = process.env.LOGPERF_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function psql(args: string[], stdin?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', [DATABASE_URL, '-v', 'ON_ERROR_STOP=1', '-q', ...args], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited ${code}: ${stderr}`))));
    child.stdin.end(stdin ?? '');
  });
}

export async function copyReference(rows: number): Promise<{ rows: number; seconds: number; rowsPerSecond: number }> {
  const table = `copy_reference_${process.pid}`;
  const now = new Date().toISOString();
  const lines: string[] = [];
  for (let i = 0; i < rows; i++)
    lines.push(`${randomUUID()}\tINFO\tbench event ${i} ${'x'.repeat(120)}\tbench-${i % 8}\t${now}\t${now}`);
  await psql([
    '-c',
    `DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (id uuid PRIMARY KEY, level text, message text, source text, event_ts timestamptz, ingested_at timestamptz, stored_at timestamptz DEFAULT now())`,
  ]);
  const start = performance.now();
  await psql(
    ['-c', `\\copy ${table} (id, level, message, source, event_ts, ingested_at) FROM STDIN`],
    `${lines.join('\n')}\n`,
  );
  const seconds = (performance.now() - start) / 1000;
  await psql(['-c', `DROP TABLE ${table}`]);
  return { rows, seconds, rowsPerSecond: rows / seconds };
}
