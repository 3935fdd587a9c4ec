import fc from 'fast-check';

/**
 * Every test file runs this first (vite.config.ts, test.setupFiles). Since
 * fast-check 4, an arbitrary given only a maxLength still draws "small" sizes:
 * `fc.array(op, { maxLength: 400 })` made at most 10 ops, so the properties
 * that replay hundreds of operations (growth, eviction, wrap-around) never
 * got there. With this, a maxLength is the range drawn from, as the tests read.
 */
fc.configureGlobal({ defaultSizeToMaxWhenMaxSpecified: true });
