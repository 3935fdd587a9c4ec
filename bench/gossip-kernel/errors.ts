/** A bounded structure of the gossip kernel ran out of room: `field` names the capacity to raise. */
export class KernelCapacityError extends Error {
  constructor(
    readonly field: string,
    readonly capacity: number,
  ) {
    super(`gossip kernel: ${field} exhausted (capacity ${capacity})`);
    this.name = 'KernelCapacityError';
  }
}

/** A value outside what the kernel supports (e.g. a degree above 32 for the exclusion masks). */
export class KernelRangeError extends Error {
  constructor(
    readonly field: string,
    detail: string,
  ) {
    super(`gossip kernel: ${field}: ${detail}`);
    this.name = 'KernelRangeError';
  }
}
