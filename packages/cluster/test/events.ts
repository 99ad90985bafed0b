// Test events: valid by default, with overrides to break one field at a time.
import { randomUUID } from 'node:crypto';

export function makeEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: randomUUID(),
    level: 'INFO',
    message: 'user logged in',
    source: 'auth-service',
    timestamp: Date.now(),
    ...overrides,
  };
}
