import type { Outbox } from '../../outbox/outbox.js';
import { withHop } from '../../tracing/trace-context.js';
import { BatchMessageContext, MessageContext } from '../message-context.js';
import type { ConsumeMetrics } from './metrics.js';
import type { PreparedMessage } from './types.js';

/**
 * Run the handler of `item` without a database: no inbox, no ordering, at-least-once. A batch
 * handler gets the event alone. Rejects with what the handler threw.
 */
export async function handleWithoutDatabase(item: PreparedMessage, outbox: Outbox | undefined, metrics: ConsumeMetrics | undefined): Promise<void> {
  const event = item.event!;
  const delivery = item.delivery;
  const stopTimer = metrics?.handlerTimer(event.type);
  try {
    if (item.handler) await withHop(item.hop, () => item.handler!(event, new MessageContext(event, delivery, undefined, outbox)));
    else await withHop(item.hop, () => item.batchHandler!([event], new BatchMessageContext(undefined, [delivery])));
  } finally {
    stopTimer?.();
  }
}
