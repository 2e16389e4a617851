import type { ConsumerMessages } from '@nats-io/jetstream';
import type { Subscription } from '@nats-io/nats-core';
import { delay } from '../util/backoff.js';

/**
 * Close a `consume()` without losing what the server already sent. `close()` alone unsubscribes
 * at once, and the client drops every message still on its way (sent for the open pull requests
 * before the server saw the UNSUB): the server counts those as delivered, so they wait for the
 * ack wait before anyone gets them. Draining the pull subscription first (UNSUB, then a round trip
 * to the server) still delivers what arrives until then, and the consume loop hands it back (nak).
 *
 * On a cluster that is not enough: a pull request there outlives the subscription, and what the
 * consumer's leader sends to it after the UNSUB is lost (see `ConsumerRunner.stop`). With
 * `awaitOpenPullsMs`, no further pull is issued and the subscription stays until the open pull
 * requests have ended (the server filled them, or expired them with a 408 that says how many
 * messages were left), at most that long; then it drains.
 *
 * The subscription, the pull function and the pending counts are not part of the public
 * `ConsumerMessages` type; without them, the plain `close()`.
 */
export async function closeDraining(messages: ConsumerMessages, options: { readonly awaitOpenPullsMs?: number } = {}): Promise<void> {
  const internals = messages as ConsumerMessages & {
    readonly sub?: Subscription;
    clearTimers?: () => void;
    pull?: (options: unknown) => void;
    readonly pending?: { readonly msgs: number };
  };
  const sub = internals.sub;
  const awaitMs = options.awaitOpenPullsMs ?? 0;
  if (awaitMs > 0 && sub && typeof internals.pull === 'function' && internals.pending) {
    internals.pull = () => undefined;
    const deadline = Date.now() + awaitMs;
    while (internals.pending.msgs > 0 && !sub.isClosed() && Date.now() < deadline) await delay(50);
  }
  if (sub && !sub.isClosed() && !sub.isDraining()) await sub.drain().catch(() => undefined);
  // The heartbeat monitor is stopped by close(), which returns early once the drained
  // subscription has ended the iterator.
  internals.clearTimers?.();
  await messages.close().catch(() => undefined);
}
