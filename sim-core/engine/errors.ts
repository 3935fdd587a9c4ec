/** Typed errors raised by the engine. Callers match on `code`, never on message text. */
export class EngineError extends Error {
  constructor(
    readonly code: 'queue-full' | 'bad-time' | 'bad-handle' | 'reentrant-run',
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}
