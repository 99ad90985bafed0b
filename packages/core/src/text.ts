// Free text from outside (test names, baseline names, ids, labels): the one rule every boundary applies to strings.
import { z } from 'zod';

/** Text PostgreSQL and JSON can store: no NUL, no lone surrogates (either fails the write that holds it, later and as a 500). */
export const storableText = z
  .string()
  .refine((s) => !s.includes('\u0000'), 'must not contain NUL (\\u0000)')
  .refine((s) => s.isWellFormed(), 'must be well-formed unicode (no lone surrogates)');

/** A name or label: storable, trimmed, 1 to `maxLength` characters; messages name the field. */
export function boundedText(field: string, maxLength: number) {
  return z
    .string(`${field} must be a string`)
    .trim()
    .min(1, `${field} must not be empty`)
    .max(maxLength, `${field} must be at most ${maxLength} characters`)
    .refine((s) => !s.includes('\u0000'), `${field} must not contain NUL (\\u0000)`)
    .refine((s) => s.isWellFormed(), `${field} must be well-formed unicode (no lone surrogates)`);
}
