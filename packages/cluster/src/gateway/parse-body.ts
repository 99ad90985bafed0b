// Turns a request body (one event, a JSON array, or NDJSON) into a list of candidate events.
import { AppError } from '@logperf/core';
import type { FastifyInstance } from 'fastify';

export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson'];

/** Registers the NDJSON parser; JSON uses Fastify's own (prototype-poisoning safe) parser. */
export function registerNdjsonParser(app: FastifyInstance): void {
  app.addContentTypeParser(NDJSON_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    const lines = (body as string).split('\n');
    const items: unknown[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]?.trim();
      if (!line) continue;
      try {
        items.push(JSON.parse(line));
      } catch (error) {
        done(
          new AppError('INVALID_JSON', `NDJSON line ${i + 1} is not valid JSON: ${(error as Error).message}`, {
            details: { line: i + 1 },
          }),
          undefined,
        );
        return;
      }
    }
    done(null, items);
  });
}

/** One object → [object]; an array → itself; anything else is a 400. */
export function toEventList(body: unknown, maxEvents: number): unknown[] {
  const list = Array.isArray(body) ? body : body !== null && typeof body === 'object' ? [body] : undefined;
  if (!list) throw new AppError('VALIDATION_FAILED', 'Body must be one event object, an array of events, or NDJSON');
  if (list.length === 0) throw new AppError('VALIDATION_FAILED', 'Body holds no events');
  if (list.length > maxEvents) {
    throw new AppError('TOO_MANY_EVENTS', `${list.length} events in one request; at most ${maxEvents} are accepted`, {
      details: { count: list.length, max: maxEvents },
    });
  }
  return list;
}
