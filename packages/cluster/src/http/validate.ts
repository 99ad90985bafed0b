// Validates a request part with a zod schema; a failure is a 400 naming each field and why.
import { AppError } from '@logperf/core';
import type { z } from 'zod';

export function validate<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), reason: i.message }));
  throw new AppError('VALIDATION_FAILED', details.map((d) => (d.path ? `${d.path}: ${d.reason}` : d.reason)).join('; '), { details });
}
