import { KernelCapacityError } from './errors.ts';

/**
 * Free slots of a fixed-capacity typed-array table, as a stack. Lowest
 * slots come out first, so the live set stays compact at the front of the
 * table's columns. `field` names the capacity in the error when it runs out.
 */
export class SlotStack {
  private readonly slots: Int32Array;
  private top: number;

  constructor(
    readonly capacity: number,
    private readonly field: string,
  ) {
    this.slots = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.slots[i] = capacity - 1 - i;
    this.top = capacity;
  }

  get size(): number {
    return this.top;
  }

  take(): number {
    if (this.top === 0) throw new KernelCapacityError(this.field, this.capacity);
    return this.slots[--this.top];
  }

  give(slot: number): void {
    this.slots[this.top++] = slot;
  }
}
