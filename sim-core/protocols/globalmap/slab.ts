/** The record pool's growable int stack and queue. */
import { growI32 } from '../../engine/typed-grow.ts';

/** A growable stack of ints (free slots). */
export class IntStack {
  private a = new Int32Array(16);
  size = 0;

  push(v: number): void {
    if (this.size === this.a.length) this.a = growI32(this.a, this.a.length * 2);
    this.a[this.size++] = v;
  }

  /** The top value, or -1 when empty. */
  pop(): number {
    return this.size > 0 ? this.a[--this.size] : -1;
  }
}

/** A growable FIFO of ints (versions waiting to be reclaimed). */
export class IntQueue {
  private a = new Int32Array(1024);
  private head = 0;
  size = 0;

  push(v: number): void {
    if (this.size === this.a.length) {
      // Unroll the ring into a twice larger array, oldest first.
      const b = new Int32Array(this.a.length * 2);
      for (let i = 0; i < this.size; i++) b[i] = this.a[(this.head + i) % this.a.length];
      this.a = b;
      this.head = 0;
    }
    this.a[(this.head + this.size) % this.a.length] = v;
    this.size++;
  }

  shift(): number {
    const v = this.a[this.head];
    this.head = this.head + 1 === this.a.length ? 0 : this.head + 1;
    this.size--;
    return v;
  }
}
