// Turns a request body (one event, a JSON array, or NDJSON) into a list of candidate events, keeping NDJSON lines' text.
import { AppError } from '@logperf/core';
import type { FastifyInstance } from 'fastify';

export const NDJSON_TYPES = ['application/x-ndjson', 'application/ndjson'];

/** An NDJSON body: each parsed item beside the exact line it came from, so a valid event can go on the bus as received. */
export class NdjsonBody {
  constructor(
    readonly items: unknown[],
    readonly lines: string[],
  ) {}
}

/** Registers the NDJSON parser; JSON uses Fastify's own (prototype-poisoning safe) parser. */
export function registerNdjsonParser(app: FastifyInstance): void {
  app.addContentTypeParser(NDJSON_TYPES, { parseAs: 'string' }, (_request, body, done) => {
    const lines = (body as string).split('\n');
    const items: unknown[] = [];
    const kept: string[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]?.trim();
      if (!line) continue;
      try {
        items.push(JSON.parse(line));
        kept.push(line);
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
    done(null, new NdjsonBody(items, kept));
  });
}

/** One object → [object]; an array → itself; NDJSON → its items and lines; anything else is a 400. */
export function toEventList(body: unknown, maxEvents: number): { items: unknown[]; lines?: string[] } {
  const parsed: { items: unknown[]; lines?: string[] } | undefined =
    body instanceof NdjsonBody
      ? { items: body.items, lines: body.lines }
      : Array.isArray(body)
        ? { items: body }
        : body !== null && typeof body === 'object'
          ? { items: [body] }
          : undefined;
  if (!parsed) throw new AppError('VALIDATION_FAILED', 'Body must be one event object, an array of events, or NDJSON');
  const count = parsed.items.length;
  if (count === 0) throw new AppError('VALIDATION_FAILED', 'Body holds no events');
  if (count > maxEvents) {
    throw new AppError('TOO_MANY_EVENTS', `${count} events in one request; at most ${maxEvents} are accepted`, {
      details: { count, max: maxEvents },
    });
  }
  return parsed;
}
