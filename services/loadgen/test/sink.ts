// A local HTTP sink standing in for the gateway: counts events, answers 202, and can stall or slow down on purpose.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Sink {
  url: string;
  events: () => number;
  /** Events received per level. */
  levels: () => Record<string, number>;
  requests: () => number;
  /** Distinct `x-logperf-test-id` headers seen. */
  testIds: () => string[];
  /** Times each event id arrived (with `trackIds`): a count above 1 is an event sent twice. */
  ids: () => Map<string, number>;
  close(): Promise<void>;
}

export interface SinkBehaviour {
  /** Delay before answering a request that arrived `sinceStartMs` after the sink started. */
  delayMs?: (sinceStartMs: number) => number;
  /** Count each event's id. */
  trackIds?: boolean;
}

export async function startSink(behaviour: SinkBehaviour = {}): Promise<Sink> {
  let events = 0;
  let requests = 0;
  const levels: Record<string, number> = {};
  const testIds = new Set<string>();
  const ids = new Map<string, number>();
  const started = performance.now();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const testId = req.headers['x-logperf-test-id'];
    if (typeof testId === 'string') testIds.add(testId);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests++;
      for (const line of body.split('\n')) {
        if (!line) continue;
        events++;
        if (behaviour.trackIds) {
          const id = /^\{"id":"([^"]+)"/.exec(line)?.[1] ?? 'none';
          ids.set(id, (ids.get(id) ?? 0) + 1);
        }
        const level = /"level":"(\w+)"/.exec(line)?.[1] ?? 'none';
        levels[level] = (levels[level] ?? 0) + 1;
      }
      const delay = behaviour.delayMs?.(performance.now() - started) ?? 0;
      const answer = () => res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":1}');
      if (delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events: () => events,
    levels: () => ({ ...levels }),
    requests: () => requests,
    testIds: () => [...testIds],
    ids: () => new Map(ids),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
