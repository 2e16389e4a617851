import type { EventEnvelope } from '../../envelope/envelope.js';
import { SpanKind, startHop, type Hop } from '../../tracing/trace-context.js';

/** Span names are cached per type; types come from envelopes, this bounds them. */
const MAX_CACHED_SPAN_NAMES = 1024;

/**
 * Each message is a hop of its event's trace: the handler, its log lines and the events it emits
 * carry the trace and correlation ids (see tracing/trace-context.ts). The hop is started when
 * the message is prepared and ended when it is settled.
 */
export class ConsumerTracing {
  private readonly spanNames = new Map<string, string>();

  constructor(private readonly consumer: string) {}

  /** A consumer span `<consumer> <type>` (`<consumer> message` for a malformed one), child of the event's traceparent. */
  start(decoded: EventEnvelope | undefined): Hop {
    return startHop(this.spanName(decoded?.type), decoded?.traceparent, SpanKind.CONSUMER, decoded?.correlationid);
  }

  end(hop: Hop): void {
    hop.span.end();
  }

  /** `<consumer> <type>`, made once per type. */
  private spanName(type: string | undefined): string {
    const key = type ?? 'message';
    let name = this.spanNames.get(key);
    if (name === undefined) {
      name = `${this.consumer} ${key}`;
      if (this.spanNames.size < MAX_CACHED_SPAN_NAMES) this.spanNames.set(key, name);
    }
    return name;
  }
}
