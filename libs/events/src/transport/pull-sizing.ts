// How much a consumer pulls, and for how long: the pull request's life and the buffers' sizes.

/**
 * How long a pull request lives on the server. The client expects an idle heartbeat every half of
 * it and re-pulls after two missed ones: when the consumer's leader dies (a node of a cluster),
 * its open pull requests die with it, and the consumer resumes on the new leader after about this
 * long (the client's default, 30 s, stalled the flow for half a minute). Idle, it costs one pull
 * request per consumer every 5 s.
 */
export const PULL_EXPIRES_MS = 5_000;

/**
 * The pull buffer of a {@link ConsumerRunner} by default: half of what its batches hold
 * (`concurrency × batchSize`), at least one batch, at most 512 — the next batch is ready when a
 * slot frees, while the process holds few messages it is not working on.
 */
export function defaultPrefetch(concurrency: number, batchSize: number): number {
  return Math.min(512, Math.max(batchSize, Math.ceil((concurrency * batchSize) / 2)));
}

/**
 * The most messages one process holds unacknowledged for one durable consumer: what its batches
 * accepted (`concurrency × batchSize`) plus its pull buffer. Times the replicas a deployment may
 * scale to, it must stay within the consumer's `max_ack_pending`, or the replicas that filled
 * their buffers first hold back messages the others could work on.
 */
export function maxUnacknowledgedPerProcess(options: { readonly concurrency: number; readonly batchSize: number; readonly maxMessages?: number }): number {
  return options.concurrency * options.batchSize + (options.maxMessages ?? defaultPrefetch(options.concurrency, options.batchSize));
}
