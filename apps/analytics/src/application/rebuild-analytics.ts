import type { JetStreamClient, StoredMsg } from '@nats-io/jetstream';
import { type Database, type EventEnvelope, type EventRegistry, type EventsLogger, parseEnvelope, silentLogger, type Transaction } from '@platform/events';
import { ANALYTICS_CONTRACT_BY_EVENT, factOf } from '../domain/apply-rules.js';
import type { AnalyticsStore } from './ports.js';

/** The domain streams the analytics aggregates are built from (every stream but `DLQ`). */
export const ANALYTICS_STREAMS = ['ORDERS', 'PAYMENTS', 'INVENTORY', 'LOYALTY', 'NOTIFICATIONS'] as const;
export type AnalyticsStream = (typeof ANALYTICS_STREAMS)[number];

export interface RebuildAnalyticsOptions {
  readonly db: Database;
  /** Where the facts and summaries are reset and applied. */
  readonly store: AnalyticsStore;
  readonly js: JetStreamClient;
  /** Decodes, validates and upcasts the stored events (the platform registry). */
  readonly registry: EventRegistry;
  readonly logger?: EventsLogger;
  /** Stored messages requested at once. Default 128. */
  readonly window?: number;
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
 *    present now (stream message gets by sequence, a window at a time), decode the envelope, validate it, upcast it to
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
    await options.store.resetForRebuild(tx);
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

/** How many stored messages are requested at once (sequence gets pipelined over one connection). */
const REPLAY_WINDOW = 128;

/**
 * Read the stream by sequence with the stream message API (`$JS.API.STREAM.MSG.GET`), a window
 * of sequences at a time, applying them in sequence order. Not an ordered consumer: creating,
 * reading and deleting consumers on these streams would need permissions on every consumer name
 * (NATS subjects cannot match a name prefix), which would also let analytics read or delete the
 * other services' durables. A deleted sequence (limits, purge) answers "no message" and is skipped.
 */
async function replayStream(stream: AnalyticsStream, tx: Transaction, options: RebuildAnalyticsOptions, logger: EventsLogger): Promise<StreamCounts> {
  const counts: StreamCounts = { applied: 0, skipped: 0 };
  const jsm = await options.js.jetstreamManager();
  const { state } = await jsm.streams.info(stream);
  if (state.messages === 0 || state.last_seq < state.first_seq) return counts;
  const window = options.window ?? REPLAY_WINDOW;
  let missing = 0;
  for (let from = state.first_seq; from <= state.last_seq; from += window) {
    const to = Math.min(from + window - 1, state.last_seq);
    const batch = await Promise.all(Array.from({ length: to - from + 1 }, (_, i) => jsm.streams.getMessage(stream, { seq: from + i })));
    for (const message of batch) {
      if (message === null) missing++;
      else if (await applyMessage(stream, message, tx, options.store, options.registry, logger)) counts.applied++;
      else counts.skipped++;
    }
  }
  if (missing > 0) logger.info({ stream, missing, firstSeq: state.first_seq, lastSeq: state.last_seq }, 'replay: sequences deleted from the stream were skipped');
  return counts;
}

/** Apply one stored message; false when it was skipped. */
async function applyMessage(stream: string, message: StoredMsg, tx: Transaction, store: AnalyticsStore, registry: EventRegistry, logger: EventsLogger): Promise<boolean> {
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
  await store.applyFacts(tx, [factOf(event)]);
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
