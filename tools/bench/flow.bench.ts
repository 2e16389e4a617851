/**
 * npm run bench:flow — the whole order flow under load: the six services as processes (built
 * `apps/*\/dist`), each on its own PostgreSQL database, an isolated nats-server, orders placed over
 * HTTP. Prints, beside the raw @nats-io/jetstream figures measured in the same run on the same
 * server:
 *
 *  (1) at fixed rates (BENCH_RATES orders/s, default `10,100`, each for BENCH_SECONDS, default 20):
 *      POST /orders latency p50/p99 and created→terminal latency p50/p99 (createdAt in the 201
 *      body → the order's order.confirmed/cancelled event seen on the bus);
 *  (2) at the maximum: BENCH_CONCURRENCY (default 64) clients in a closed loop for BENCH_SECONDS:
 *      orders accepted/s, orders that reached their terminal state within the window /s, and the
 *      time to drain what was left; errors = non-201 answers + orders not CONFIRMED.
 *
 * Raw figures: pipelined publish of 256-byte messages, durable pull consume + ack, and
 * publish→consume latency at 1 000 msg/s. Each order costs about 20 event deliveries and as many
 * database transactions across the services, so the ratio to raw is per event, not per order.
 */
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { performance } from 'node:perf_hooks';
import { Platform, request } from '../../e2e/harness/platform.js';

/** Fixed arrival rates, orders/s: one the machine holds and the brief's 100/s. */
const RATES = (process.env['BENCH_RATES'] ?? '10,100').split(',').map(Number);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 20);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 64);
const TENANT = 'bench';
/** Orders spread over this many products, as a catalogue would (one hot row would measure its lock). */
const PRODUCTS = 20;
const skuOf = (i: number) => `SKU-BENCH-${String(i % PRODUCTS).padStart(2, '0')}`;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};
const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(9);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Tracker {
  readonly created: Map<string, number>;
  readonly terminal: Map<string, { at: number; status: string }>;
}

async function rawFigures(url: string): Promise<{ publish: number; consume: number; p50: number; p99: number }> {
  const nc = await connect({ servers: url, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const payload = new Uint8Array(256).fill(120);
  const count = 50_000;
  await jsm.streams.add({ name: 'RAW_BENCH', subjects: ['rawbench.>'], storage: 'file' as never });
  try {
    let start = performance.now();
    for (let i = 0; i < count; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, () => js.publish('rawbench.a', payload)));
    }
    const publish = count / ((performance.now() - start) / 1000);

    await jsm.consumers.add('RAW_BENCH', { durable_name: 'raw', ack_policy: AckPolicy.Explicit, filter_subject: 'rawbench.a' });
    const consumer = await js.consumers.get('RAW_BENCH', 'raw');
    start = performance.now();
    const messages = await consumer.consume({ max_messages: 512 });
    let seen = 0;
    for await (const message of messages) {
      message.ack();
      if (++seen === count) break;
    }
    const consume = count / ((performance.now() - start) / 1000);

    await jsm.consumers.add('RAW_BENCH', { durable_name: 'lat', ack_policy: AckPolicy.Explicit, filter_subject: 'rawbench.lat' });
    const latConsumer = await js.consumers.get('RAW_BENCH', 'lat');
    const latencies: number[] = [];
    const total = 3000;
    const done = (async () => {
      const stream = await latConsumer.consume({ max_messages: 256 });
      for await (const message of stream) {
        latencies.push(performance.now() - Number(new TextDecoder().decode(message.data)));
        message.ack();
        if (latencies.length === total) break;
      }
    })();
    const begin = performance.now();
    for (let i = 0; i < total; i++) {
      const due = begin + i; // 1 000 msg/s
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      void js.publish('rawbench.lat', new TextEncoder().encode(String(performance.now())));
    }
    await done;
    return { publish, consume, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
  } finally {
    await jsm.streams.delete('RAW_BENCH').catch(() => undefined);
    await nc.close();
  }
}

async function placeOrder(platform: Platform, tracker: Tracker, latencies: number[], errors: string[]): Promise<void> {
  const started = performance.now();
  try {
    const response = await request(`${platform.url('order')}/orders`, {
      method: 'POST',
      tenant: TENANT,
      body: { customerId: `c-${Math.floor(Math.random() * 1000)}`, items: [{ sku: skuOf(Math.floor(Math.random() * PRODUCTS)), quantity: 1 }], paymentToken: 'tok_visa' },
    });
    latencies.push(performance.now() - started);
    if (response.status !== 201) errors.push(`POST ${response.status}: ${JSON.stringify(response.body).slice(0, 200)}`);
    else tracker.created.set(response.body.orderId, Date.parse(response.body.createdAt));
  } catch (error) {
    errors.push(`POST failed: ${(error as Error).message}`);
  }
}

async function waitForTerminal(tracker: Tracker, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while ([...tracker.created.keys()].some((id) => !tracker.terminal.has(id))) {
    if (performance.now() - start > timeoutMs) break;
    await sleep(20);
  }
  return performance.now() - start;
}

function flowLatencies(tracker: Tracker, ids: Iterable<string>): number[] {
  const result: number[] = [];
  for (const id of ids) {
    const terminal = tracker.terminal.get(id);
    const created = tracker.created.get(id);
    if (terminal && created !== undefined) result.push(terminal.at - created);
  }
  return result;
}

function outcomeErrors(tracker: Tracker, ids: Iterable<string>): string[] {
  const errors: string[] = [];
  for (const id of ids) {
    const terminal = tracker.terminal.get(id);
    if (!terminal) errors.push(`order ${id} never reached a terminal state`);
    else if (terminal.status !== 'confirmed') errors.push(`order ${id} ${terminal.status}`);
  }
  return errors;
}

interface FixedRun {
  readonly rate: number;
  readonly ids: Set<string>;
  readonly post: number[];
  readonly flow: number[];
  readonly errors: string[];
  readonly seconds: number;
}

/** Place `rate` orders per second for SECONDS (open loop: a slow answer does not slow the arrivals). */
async function fixedRate(platform: Platform, tracker: Tracker, rate: number): Promise<FixedRun> {
  const ids = new Set<string>();
  const post: number[] = [];
  const errors: string[] = [];
  const before = new Set(tracker.created.keys());
  const begin = performance.now();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < rate * SECONDS; i++) {
    const wait = begin + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    inflight.push(placeOrder(platform, tracker, post, errors));
  }
  await Promise.all(inflight);
  const seconds = (performance.now() - begin) / 1000;
  await waitForTerminal(tracker, 300_000);
  for (const id of tracker.created.keys()) if (!before.has(id)) ids.add(id);
  errors.push(...outcomeErrors(tracker, ids));
  await platform.settled(300_000);
  return { rate, ids, post, flow: flowLatencies(tracker, ids), errors, seconds };
}

async function main(): Promise<void> {
  console.log(`bench:flow — six services on PostgreSQL, rates ${RATES.join(' and ')}/s and max (${CONCURRENCY} clients), ${SECONDS} s each`);
  const platform = await Platform.start({ env: { LOG_LEVEL: 'warn', INVENTORY_SEED_DEMO: 'false' } });
  try {
    const raw = await rawFigures(platform.nats.url);
    for (let i = 0; i < PRODUCTS; i++) {
      const put = await request(`${platform.url('inventory')}/products/${skuOf(i)}`, { method: 'PUT', tenant: TENANT, body: { name: `Bench item ${i}`, priceCents: 150, available: 1_000_000_000 } });
      if (put.status !== 201 && put.status !== 200) throw new Error(`could not create the bench product: ${put.status}`);
    }
    await platform.settled();

    const tracker: Tracker = { created: new Map(), terminal: new Map() };
    const nc = await connect({ servers: platform.nats.url });
    const subscription = nc.subscribe(`orders.${TENANT}.*`, {
      callback: (_error, message) => {
        const type = message.subject.split('.')[2];
        if (type !== 'confirmed' && type !== 'cancelled') return;
        const orderId = (message.json() as { data: { orderId: string } }).data.orderId;
        if (!tracker.terminal.has(orderId)) tracker.terminal.set(orderId, { at: Date.now(), status: type });
      },
    });

    // Warm-up: JIT, connection pools, prepared plans.
    const warm: number[] = [];
    await Promise.all(Array.from({ length: 200 }, () => placeOrder(platform, tracker, warm, [])));
    await waitForTerminal(tracker, 60_000);
    await platform.settled(120_000);

    // (1) fixed rates
    const fixedRuns: FixedRun[] = [];
    for (const rate of RATES) fixedRuns.push(await fixedRate(platform, tracker, rate));

    // (2) maximum: closed loop
    const maxPost: number[] = [];
    const maxErrors: string[] = [];
    const beforeMax = new Set(tracker.created.keys());
    const maxBegin = performance.now();
    const endAt = maxBegin + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < endAt) await placeOrder(platform, tracker, maxPost, maxErrors);
      }),
    );
    const windowEnd = Date.now();
    const maxSeconds = (performance.now() - maxBegin) / 1000;
    const maxIds = [...tracker.created.keys()].filter((id) => !beforeMax.has(id));
    const completedInWindow = maxIds.filter((id) => (tracker.terminal.get(id)?.at ?? Infinity) <= windowEnd).length;
    const drainMs = await waitForTerminal(tracker, 300_000);
    maxErrors.push(...outcomeErrors(tracker, maxIds));
    const maxFlow = flowLatencies(tracker, maxIds);
    subscription.unsubscribe();
    await nc.close();

    const line = (label: string, value: string) => console.log(`${label.padEnd(58)} ${value}`);
    console.log('\nraw @nats-io/jetstream on the same server (256 B, file storage, one Node process)');
    line('  pipelined publish', `${fmt(raw.publish, 0)} msg/s`);
    line('  durable pull consume + ack', `${fmt(raw.consume, 0)} msg/s`);
    line('  publish→consume at 1000 msg/s p50 / p99', `${fmt(raw.p50, 2)} ms / ${raw.p99.toFixed(2)} ms`);
    for (const run of fixedRuns) {
      console.log(`\n(1) fixed rate ${run.rate} orders/s for ${SECONDS} s (${run.ids.size} orders, ${run.errors.length} errors)`);
      line('  achieved POST rate', `${fmt(run.ids.size / run.seconds)} orders/s`);
      line('  POST /orders p50 / p99', `${fmt(percentile(run.post, 50), 2)} ms / ${percentile(run.post, 99).toFixed(2)} ms`);
      line('  created→terminal p50 / p99', `${fmt(percentile(run.flow, 50), 2)} ms / ${percentile(run.flow, 99).toFixed(2)} ms   goal p99 <= 250 ms at 100/s`);
      line('  ratio to raw publish→consume p50 / p99', `${fmt(percentile(run.flow, 50) / raw.p50, 1)}× / ${(percentile(run.flow, 99) / raw.p99).toFixed(1)}×`);
    }
    console.log(`\n(2) maximum, ${CONCURRENCY} clients for ${SECONDS} s (${maxIds.length} orders, ${maxErrors.length} errors)`);
    line('  orders accepted (POST 201)', `${fmt(maxIds.length / maxSeconds)} orders/s`);
    line('  orders terminal within the window (sustained)', `${fmt(completedInWindow / maxSeconds)} orders/s   goal >= 300 orders/s`);
    line('  backlog drained after the window in', `${fmt(drainMs / 1000, 2)} s`);
    line('  throughput to the last terminal order (window + drain)', `${fmt(maxIds.length / (maxSeconds + drainMs / 1000))} orders/s`);
    line('  POST /orders p50 / p99', `${fmt(percentile(maxPost, 50), 2)} ms / ${percentile(maxPost, 99).toFixed(2)} ms`);
    line('  created→terminal p50 / p99', `${fmt(percentile(maxFlow, 50), 2)} ms / ${percentile(maxFlow, 99).toFixed(2)} ms`);
    line('  event deliveries/s (≈20 per order) vs raw consume', `${fmt((completedInWindow / maxSeconds) * 20, 0)} /s = ${(((completedInWindow / maxSeconds) * 20) / raw.consume).toFixed(2)}× raw`);
    const errors = [...fixedRuns.flatMap((run) => run.errors), ...maxErrors];
    if (errors.length > 0) {
      console.log(`\nerrors (${errors.length}), first 10:`);
      for (const error of errors.slice(0, 10)) console.log(`  ${error}`);
      process.exitCode = 1;
    }
  } finally {
    await platform.stop();
  }
}

await main();
