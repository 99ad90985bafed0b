// `logperf worker`: a process that waits in the lobby topic for tests announced by a coordinator and joins each one's
// consumer group (worker-session.ts), running the segments the group assigns it. Announcements of another protocol
// version or without the right token are refused (logged once per test).
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from '@logperf/core';
import { kafkaLink, type Member } from './kafka-link.js';
import { announcementSchema, decode, lobbyTopic, rejection } from './worker-protocol.js';
import { WorkerSession } from './worker-session.js';

export interface RemoteWorkerOptions {
  brokers: readonly string[];
  topicPrefix: string;
  name?: string;
  url?: string;
  apiToken?: string;
  logger: Logger;
}

export interface RemoteWorker {
  name: string;
  close(): Promise<void>;
}

export async function startRemoteWorker(options: RemoteWorkerOptions): Promise<RemoteWorker> {
  const name = options.name ?? `${hostname()}-${process.pid}`;
  const { logger } = options;
  const link = kafkaLink(options.brokers, `logperf-worker-${name}`);
  const lobby = lobbyTopic(options.topicPrefix);
  const sessions = new Map<string, WorkerSession>();
  const seen = new Set<string>();
  let lobbyMember: Member | undefined;
  try {
    await link.createTopic(lobby, 1);
    lobbyMember = await link.join({
      // Its own group: every worker reads every announcement.
      groupId: `${lobby}.${name}.${randomUUID()}`,
      topic: lobby,
      mode: 'latest',
      sessionTimeoutMs: 10_000,
      onRecord: (value) => {
        const decoded = decode(announcementSchema, value);
        if (!decoded.ok) return logger.warn({ error: decoded.error }, 'worker: unreadable announcement');
        const test = decoded.value;
        if (seen.has(test.testId)) return;
        seen.add(test.testId);
        const refused = rejection(test, options.apiToken);
        if (refused) return logger.error({ testId: test.testId, refused }, 'worker: test refused');
        const session = new WorkerSession(
          link,
          test,
          { name, url: options.url ?? null, apiToken: options.apiToken },
          logger,
          () => sessions.delete(test.testId),
        );
        sessions.set(test.testId, session);
        logger.info({ testId: test.testId, segments: test.segments }, 'worker: joining test');
        session.open().catch((error: unknown) => {
          logger.error({ err: error, testId: test.testId }, 'worker: could not join the test');
          void session.close();
        });
      },
      onError: (error) => logger.warn({ err: error }, 'worker: lobby member error'),
    });
  } catch (error) {
    await link.close();
    throw error;
  }
  logger.info({ name, lobby }, 'worker: waiting for tests');
  return {
    name,
    async close() {
      await Promise.allSettled([...sessions.values()].map((s) => s.close()));
      await lobbyMember?.close();
      await link.close();
    },
  };
}
