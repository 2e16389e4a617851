import type { InboundMessage } from './types.js';

/**
 * Keep messages held here from being redelivered: a progress signal (`working()`) every third
 * of the ack wait, until the returned function is called.
 */
export function keepAlive(items: readonly { readonly message: InboundMessage }[], ackWaitMs: number): () => void {
  const timer = setInterval(() => {
    for (const item of items) item.message.working?.();
  }, Math.max(100, Math.floor(ackWaitMs / 3)));
  timer.unref();
  return () => clearInterval(timer);
}
