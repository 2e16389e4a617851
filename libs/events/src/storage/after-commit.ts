/** Run before-commit callbacks in order, including those registered while they run; the first rejection stops them. */
export async function runBeforeCommit(callbacks: Array<() => Promise<void>>): Promise<void> {
  for (let i = 0; i < callbacks.length; i++) await callbacks[i]!();
}

/** Run after-commit callbacks; a failing callback must not turn a committed transaction into an error. */
export function runAfterCommit(callbacks: ReadonlyArray<() => void>): void {
  for (const callback of callbacks) {
    try {
      callback();
    } catch (error) {
      queueMicrotask(() => {
        // surface it without affecting the caller: the transaction is committed
        process.emitWarning(`afterCommit callback failed: ${String((error as Error)?.message ?? error)}`);
      });
    }
  }
}
