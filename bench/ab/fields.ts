/** A field of a result file the run wrote: a finite number or a string, else an error naming it. */
export function field<K extends 'number' | 'string'>(o: unknown, name: string, kind: K): K extends 'number' ? number : string {
  const v = o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[name] : undefined;
  if (typeof v !== kind || (kind === 'number' && !Number.isFinite(v))) throw new Error(`${name}: expected a ${kind === 'number' ? 'finite number' : 'string'}, got ${JSON.stringify(v)}`);
  return v as K extends 'number' ? number : string;
}
