import type { EventEnvelope } from '../../envelope/envelope.js';
import { withHop } from '../../tracing/trace-context.js';
import type { EventsLogger } from '../../util/logger.js';
import type { BatchPlanItem } from '../batch-transaction.js';
import { aggregateKeyString, OrderingMode, type AggregateKey } from '../inbox.js';
import type { InboundMessage, PreparedMessage } from './types.js';

// The inbox/sequence stage outside the transaction: which messages serialise, and the order a
// batch applies in. Inside it, batch-transaction.ts claims the inbox and checks the sequences.

/** The key that serialises handling (`tenant/source/aggregate`), or a per-message key when the message is not an envelope. */
export function orderingKeyOf(message: InboundMessage, decoded: EventEnvelope | undefined): string {
  return decoded ? `${decoded.tenantid}/${decoded.source}/${decoded.subject}` : `seq:${message.info.streamSequence}`;
}

/** The ordering of a consumer: `strict` with a database, `none` without; any other needs a database. */
export function orderingModeOf(consumer: string, ordering: OrderingMode | undefined, hasDatabase: boolean): OrderingMode {
  const mode = ordering ?? (hasDatabase ? OrderingMode.Strict : OrderingMode.None);
  if (!hasDatabase && mode !== OrderingMode.None) throw new TypeError(`consumer ${consumer}: ordering "${mode}" needs a database`);
  return mode;
}

/**
 * The batch in the order it runs: with ordering, by aggregate and then sequence (one
 * aggregate's events apply in sequence inside a batch; aggregates are locked in key order).
 */
export function planOf(consumer: string, ordering: OrderingMode, work: readonly PreparedMessage[]): BatchPlanItem[] {
  const plan = work.map((prepared, index): BatchPlanItem => {
    const event = prepared.event!;
    const key: AggregateKey = { consumer, source: event.source, tenantId: event.tenantid, aggregateId: event.subject };
    return { prepared, event, key, keyString: aggregateKeyString(key), eventId: event.id.toLowerCase(), index };
  });
  if (ordering !== OrderingMode.None && plan.length > 1) {
    plan.sort((a, b) => (a.keyString < b.keyString ? -1 : a.keyString > b.keyString ? 1 : a.event.sequence - b.event.sequence || a.index - b.index));
  }
  return plan;
}

/** The warning for an early event applied on its final deferral without its aggregate's sequence row (see applyBatch). */
export function warnSequenceRowMissing(logger: EventsLogger, consumer: string, item: PreparedMessage): void {
  const event = item.event!;
  withHop(item.hop, () =>
    logger.warn(
      { consumer, type: event.type, eventId: event.id, subject: event.subject, sequence: event.sequence, deliveryCount: item.message.info.deliveryCount },
      "event applied on its final deferral without its aggregate's sequence row (pruned after the sequence retention): its predecessors are taken as applied",
    ),
  );
}
