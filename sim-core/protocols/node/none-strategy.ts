import { defineStrategy } from '../strategy.ts';

/** The bare peer manager: no overlay app, it dials random known addresses up to its outbound target. */
export const noneStrategy = defineStrategy({
  name: 'none',
  summary: 'the peer manager alone, dialling random known addresses',
  runtime: () => ({ appFor: () => undefined }),
});
