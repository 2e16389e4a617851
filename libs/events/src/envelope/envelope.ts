/**
 * CloudEvents 1.0 envelope, structured JSON mode, with this platform's extension attributes.
 * Extension attribute names are lower-case alphanumerics, as CloudEvents requires.
 */
export interface EventEnvelope<Data = unknown> {
  readonly specversion: '1.0';
  /** UUIDv7: unique per event, time-ordered; also the JetStream `Nats-Msg-Id`. */
  readonly id: string;
  /** The producing service, e.g. `order`. */
  readonly source: string;
  /** Versioned wire type, e.g. `order.created.v1`. */
  readonly type: string;
  /** RFC 3339 time at which the fact happened (the outbox transaction). */
  readonly time: string;
  /** The aggregate id the event is about (order id, SKU, customer id). */
  readonly subject: string;
  readonly datacontenttype: 'application/json';
  readonly data: Data;
  /** Tenant id (`^[a-z0-9][a-z0-9-]{0,62}$`), also a token of the NATS subject. */
  readonly tenantid: string;
  /** Per-aggregate sequence, 1-based, gap-free, assigned in the outbox transaction. */
  readonly sequence: number;
  /** Id of the request or flow that started the chain of events. */
  readonly correlationid: string;
  /** Id of the event or request that directly caused this one. */
  readonly causationid: string;
  /** W3C trace context (`00-<trace-id>-<span-id>-<flags>`); also sent as a NATS header. */
  readonly traceparent?: string;
}

export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
