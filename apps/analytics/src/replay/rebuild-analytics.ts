import { randomUUID } from 'node:crypto';
import { DeliverPolicy, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { parseEnvelope, silentLogger, type Database, type EventEnvelope, type EventRegistry, type EventsLogger, type Transaction } from '@platform/events';
import { applyFact, resetForRebuild } from '../analytics/analytics.store.js';
import { ANALYTICS_CONTRACT_BY_EVENT, factOf } from '../analytics/apply-rules.js';

/** The domain streams the analytics aggregates are built from (every stream but `DLQ`). */
export const ANALYTICS_STREAMS = ['ORDERS', 'PAYMENTS', 'INVENTORY', 'LOYALTY', 'NOTIFICATIONS'] as const;
export type AnalyticsStream = (typeof ANALYTICS_STREAMS)[number];

export interface RebuildAnalyticsOptions {
  readonly db: Database;
  readonly js: JetStreamClient;
  /** Decodes, validates and upcasts the stored events (the platform registry). */
  readonly registry: EventRegistry;
  readonly logger?: EventsLogger;
  /** A stream with no message for this long while messages are still expected ends early (deleted tail). Default 5 s. */
  readonly idleTimeoutMs?: number;
}

export interface RebuildAnalyticsResult {
  /** Per stream: messages read and applied (a message whose event id was already applied counts, and changes nothing). */
  readonly rebuilt: Record<AnalyticsStream, number>;
  /** Messages that were malformed, of an unknown or unsupported type, or invalid: counted, logged, not applied. */
  readonly skipped: number;
}

/**
 * Rebuild the analytics aggregates from the streams, in ONE database transaction:
 *
 * 1. lock the analytics tables against writers (live handlers wait; readers see the old state),
 *    delete every fact and summary;
 * 2. for each domain stream, read every message from the first sequence to the last sequence
 *    present now (an ordered consumer, deliver-all), decode the envelope, validate it, upcast it to
 *    the version the handlers take, and apply it with the handlers' apply function;
 * 3. commit.
 *
 * Facts are keyed by event id, so a message applied twice (the same event stored twice, or
 * handled live while the replay ran) is counted once. Events published after step 2 read the
 * stream's last sequence are applied by the live consumers once the lock is released.
 */
export async function rebuildAnalytics(options: RebuildAnalyticsOptions): Promise<RebuildAnalyticsResult> {
  const logger = options.logger ?? silentLogger;
  const started = Date.now();
  const result = await options.db.transaction(async (tx) => {
    await resetForRebuild(tx);
    const rebuilt = Object.fromEntries(ANALYTICS_STREAMS.map((stream) => [stream, 0])) as Record<AnalyticsStream, number>;
    let skipped = 0;
    for (const stream of ANALYTICS_STREAMS) {
      const counts = await replayStream(stream, tx, options, logger);
      rebuilt[stream] = counts.applied;
      skipped += counts.skipped;
    }
    return { rebuilt, skipped };
  });
  logger.info({ ...result, durationMs: Date.now() - started }, 'analytics rebuilt from the streams');
  return result;
}

interface StreamCounts {
  applied: number;
  skipped: number;
}

async function replayStream(stream: AnalyticsStream, tx: Transaction, options: RebuildAnalyticsOptions, logger: EventsLogger): Promise<StreamCounts> {
  const counts: StreamCounts = { applied: 0, skipped: 0 };
  const jsm = await options.js.jetstreamManager();
  const { state } = await jsm.streams.info(stream);
  if (state.messages === 0 || state.last_seq < state.first_seq) return counts;
  const lastSeq = state.last_seq;

  // An ephemeral ordered consumer, named so that an operator listing the stream's consumers sees what it is.
  const consumer = await options.js.consumers.get(stream, {
    deliver_policy: DeliverPolicy.All,
    name_prefix: `analytics_replay_${randomUUID().replaceAll('-', '').slice(0, 12)}`,
  });
  const messages = await consumer.consume({ max_messages: 512 });
  const idleMs = options.idleTimeoutMs ?? 5_000;
  let idle: NodeJS.Timeout | undefined;
  let endedIdle = false;
  const armIdle = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      endedIdle = true;
      void messages.stop();
    }, idleMs);
  };
  let lastSeen = 0;
  try {
    armIdle();
    for await (const message of messages) {
      armIdle();
      if (message.seq > lastSeq) break;
      lastSeen = message.seq;
      if (await applyMessage(stream, message, tx, options.registry, logger)) counts.applied++;
      else counts.skipped++;
      if (message.seq >= lastSeq || message.info.pending === 0) break;
    }
  } finally {
    clearTimeout(idle);
    await messages.close().catch(() => undefined);
  }
  if (endedIdle && lastSeen < lastSeq) {
    logger.warn({ stream, lastSeen, lastSeq }, 'replay: no more messages before the last sequence (deleted meanwhile?); stream ended early');
  }
  return counts;
}

/** Apply one stored message; false when it was skipped. */
async function applyMessage(stream: string, message: JsMsg, tx: Transaction, registry: EventRegistry, logger: EventsLogger): Promise<boolean> {
  let event: EventEnvelope;
  try {
    event = decodeForAnalytics(registry, message.data);
  } catch (error) {
    logger.warn(
      { stream, seq: message.seq, subject: message.subject, err: { name: (error as Error).name, message: (error as Error).message } },
      'replay: message skipped',
    );
    return false;
  }
  await applyFact(tx, factOf(event));
  return true;
}

/**
 * Decode a stored message into the envelope the analytics handler of its event takes: parse the
 * envelope, validate the payload against its own version, upcast to the handled version, and
 * validate again. Throws for a malformed envelope, an unknown type, a type analytics does not
 * apply, a newer version than the handled one, or an invalid payload.
 */
export function decodeForAnalytics(registry: EventRegistry, data: Uint8Array | string): EventEnvelope {
  const envelope = parseEnvelope(data);
  const contract = registry.get(envelope.type);
  const target = ANALYTICS_CONTRACT_BY_EVENT.get(contract.unversioned);
  if (!target) throw new TypeError(`analytics applies no ${contract.unversioned} event`);
  registry.validate(envelope.type, envelope.data);
  const upcast = registry.upcast(envelope, target.type);
  if (upcast !== envelope) registry.validate(upcast.type, upcast.data);
  return upcast;
}
