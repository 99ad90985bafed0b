// Validates a request part with a zod schema; a failure is a 400 naming each field and why.
import { AppError } from '@logperf/core';
import { z } from 'zod';

export function validate<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), reason: i.message }));
  throw new AppError(
    'VALIDATION_FAILED',
    details.map((d) => (d.path ? `${d.path}: ${d.reason}` : d.reason)).join('; '),
    { details },
  );
}

const NUMERIC = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/**
 * A number given as JSON or as query-string text. Unlike z.coerce.number(), '' and ' ' are not 0, so a missing value
 * is an error naming its field instead of a silent zero.
 */
export function numberFromText<T extends z.ZodType>(schema: T) {
  return z.preprocess(
    (value) => (typeof value === 'string' && NUMERIC.test(value.trim()) ? Number(value) : value),
    schema,
  );
}
