// The one logger (pino): JSON lines to stderr, so stdout stays free for command output.
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(name: string, level = 'info'): Logger {
  return pino({ name, level, redact: ['apiToken', 'req.headers.authorization', '*.password'] }, pino.destination(2));
}
