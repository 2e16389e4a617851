import { createEnvelope } from '../../envelope/create-envelope.js';
import type { EventEnvelope } from '../../envelope/envelope.js';
import { testSubjectOf } from '../../testing/event-fixtures.js';
import { FakeMessage } from '../../testing/fake-message.js';
import { SpanKind, startHop } from '../../tracing/trace-context.js';
import type { EventsLogger } from '../../util/logger.js';
import { MessageDelivery } from '../message-context.js';
import type { EventHandler, PreparedMessage } from './types.js';

// Inputs of the stage specs: an event, its message, the message as the processor prepares it,
// and a logger that keeps its lines. Not exported by the library.

export const TEST_CONSUMER = 'payment-orders';

export function orderEvent(options: { type?: string; subject?: string; sequence?: number; tenantId?: string } = {}): EventEnvelope {
  return createEnvelope({ source: 'order', type: options.type ?? 'order.created.v1', subject: options.subject ?? 'o-1', tenantId: options.tenantId ?? 'acme', sequence: options.sequence ?? 1, data: { n: 1 } });
}

/** The message of `event` on its own subject. */
export function messageOf(event: EventEnvelope, options: ConstructorParameters<typeof FakeMessage>[2] = {}): FakeMessage {
  return FakeMessage.json(testSubjectOf(event.type, event.tenantid), event, options);
}

/** `message` prepared with `event` and `handler` (a message without an event is a malformed one). */
export function preparedOf(message: FakeMessage, event: EventEnvelope | undefined, handler?: EventHandler): PreparedMessage {
  return {
    message,
    hop: startHop(`${TEST_CONSUMER} test`, event?.traceparent, SpanKind.CONSUMER, event?.correlationid),
    typeLabel: event?.type ?? 'unknown',
    orderingKey: event ? `${event.tenantid}/${event.source}/${event.subject}` : `seq:${message.info.streamSequence}`,
    event,
    handler,
    delivery: new MessageDelivery(TEST_CONSUMER, message),
  };
}

export interface LoggedLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string | undefined;
}

/** A logger that keeps what it is given, every level enabled. */
export function recordingLogger(): EventsLogger & { readonly lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at = (level: LoggedLine['level']) => (fields: object, message?: string) => void lines.push({ level, fields: fields as Record<string, unknown>, message });
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), isLevelEnabled: () => true };
}
