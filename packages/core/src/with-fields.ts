import { z } from 'zod';

/**
 * A union of objects by `type`, each object with the same fields added: one union, each value parsed
 * once. (An intersection of the fields' object with the union parses a value twice, once for each,
 * and merges the two results: several times the work for every command and event.)
 */
export function withFields(union: z.ZodDiscriminatedUnion, fields: z.ZodRawShape): z.ZodDiscriminatedUnion {
  const options = (union.options as unknown as z.ZodObject[]).map((option) => option.extend(fields));
  return z.discriminatedUnion('type', options as [z.ZodObject, ...z.ZodObject[]]);
}
