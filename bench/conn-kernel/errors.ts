/** A bounded structure of the connection kernel ran out of room: `field` names the capacity to raise. */
export class ConnKernelCapacityError extends Error {
  constructor(
    readonly field: string,
    readonly capacity: number,
  ) {
    super(`connection kernel: ${field} exhausted (capacity ${capacity})`);
    this.name = 'ConnKernelCapacityError';
  }
}
