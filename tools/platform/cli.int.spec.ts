import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { ConsumerRunner, DeadLetterPublisher, DeadLetterReason, encodeEnvelope, type EventEnvelope, JetStreamPublisher, MessageProcessor } from '@platform/events';
import { createPlatformRegistry, platformExamplePayloads, platformTopology, subjectFor } from '@platform/contracts';
import { provision } from '@platform/events-ops';
import { type PlatformTestNats, startPlatformTestNats } from '@platform/events-ops/testing';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// `npm run platform` as a child process, on the built events library, against a nats-server that
// enforces the platform identities, connected as the operator. One test runs it exactly as the npm
// script does (tsx); the others run the same sources transpiled once by TypeScript (no type
// check) and started with plain node: tsx's loader hooks double each process's start-up, and the
// suite starts some thirty of them.

const root = fileURLToPath(new URL('../..', import.meta.url));
const sources = fileURLToPath(new URL('..', import.meta.url));
const tsxCli = join(sources, 'platform', 'cli.ts');

/** Transpiles tools/platform/**\/*.ts (not the specs) into `outDir`, keeping the layout; returns the entry point. */
async function transpileCli(outDir: string): Promise<string> {
  // the CLI and the tools' kit it is built on (tools/lib)
  const files = ['platform', 'lib'].flatMap((folder) =>
    readdirSync(join(sources, folder), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .map((f) => join(folder, f)),
  );
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(join(sources, file), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023 },
      fileName: file,
    });
    await mkdir(dirname(join(outDir, file)), { recursive: true });
    await writeFile(join(outDir, file.replace(/\.ts$/, '.js')), outputText);
  }
  await writeFile(join(outDir, 'package.json'), '{ "type": "module" }\n');
  return join(outDir, 'platform', 'cli.js');
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const ORDER_A = '01890a5d-ac96-774b-bcce-b302099a8a01';
const ORDER_B = '01890a5d-ac96-774b-bcce-b302099a8b02';
const PAYMENT_A = '01890a5d-ad10-7a3c-9c4e-5d2f0b6e1a01';

describe('npm run platform (tools/platform/cli.ts)', () => {
  let nats: PlatformTestNats;
  let operator: NatsConnection;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let built: string;
  let cli: string;
  let created: EventEnvelope;

  const start = (args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; tsx?: boolean } = {}) => {
    const command = options.tsx ? ['--import', 'tsx', tsxCli] : [cli];
    const child = spawn(process.execPath, [...command, ...args], { cwd: root, env: options.env ?? env, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = { stdout: '', stderr: '' };
    child.stdout.on('data', (chunk) => (output.stdout += chunk));
    child.stderr.on('data', (chunk) => (output.stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    const done = new Promise<Run>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, ...output });
      });
    });
    return { child, output, done };
  };
  const run = (args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; tsx?: boolean } = {}): Promise<Run> => start(args, options).done;
  /** Runs every argument list, a few processes at a time (each loads the events library). */
  const runAll = async (lists: readonly (readonly string[])[], concurrency = 3): Promise<Run[]> => {
    const results: Run[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < lists.length) {
          const i = next++;
          results[i] = await run(lists[i]!);
        }
      }),
    );
    return results;
  };
  const ok = async (args: readonly string[]) => {
    const result = await run(args);
    expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    // the CLI runs on the built library, as `npm run platform` (which builds it first)
    const build = spawnSync(join(root, 'node_modules', '.bin', 'tsc'), ['-b', 'libs/events/tsconfig.json'], { cwd: root, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`tsc -b libs/events failed: ${build.stdout}${build.stderr}`);
    // inside the repository, so that the transpiled files resolve its packages
    await mkdir(join(root, 'node_modules', '.cache'), { recursive: true });
    built = await mkdtemp(join(root, 'node_modules', '.cache', 'platform-cli-spec-'));
    cli = await transpileCli(built);
    nats = await startPlatformTestNats();
    operator = await nats.connect('operator');
    dir = await mkdtemp(join(tmpdir(), 'platform-cli-'));
    env = { ...process.env, ...nats.envFor('operator') };
    for (const key of ['NATS_CREDS', 'NATS_USER', 'NATS_PASSWORD', 'NATS_TLS_CA', 'NATS_TLS_CERT', 'NATS_TLS_KEY']) delete env[key];
    const e = platformExamplePayloads;
    // order A of tenant demo: created → authorized → confirmed; order B of tenant acme: created
    created = await nats.publish({ type: 'order.created.v1', tenantId: 'demo', aggregateId: ORDER_A, source: 'order', data: { ...e['order.created.v1'], orderId: ORDER_A } });
    await nats.publish({ type: 'order.created.v1', tenantId: 'acme', aggregateId: ORDER_B, source: 'order', data: { ...e['order.created.v1'], orderId: ORDER_B } });
    await nats.publish({ type: 'payment.authorized.v1', tenantId: 'demo', aggregateId: PAYMENT_A, source: 'payment', data: { ...e['payment.authorized.v1'], orderId: ORDER_A, paymentId: PAYMENT_A } });
    await nats.publish({ type: 'order.confirmed.v1', tenantId: 'demo', aggregateId: ORDER_A, source: 'order', sequence: 2, data: { ...e['order.confirmed.v1'], orderId: ORDER_A } });
    // order A's created event dead-lettered by payment-orders, as MessageProcessor would
    await new DeadLetterPublisher(new JetStreamPublisher(jetstream(operator))).deadLetter(
      { subject: subjectFor(created.type, 'demo'), data: encodeEnvelope(created), headers: { 'Ce-Type': created.type }, stream: 'ORDERS', streamSequence: 1, deliveryCount: 4 },
      { reason: DeadLetterReason.RetriesExhausted, consumer: 'payment-orders', error: new Error('gateway down') },
    );
    // payment-orders holds one message unacknowledged: STUCK
    const held = await (await jetstream(operator).consumers.get('ORDERS', 'payment-orders')).next({ expires: 2_000 });
    expect(held?.seq).toBe(1);
  });

  afterAll(async () => {
    await operator?.close();
    await nats?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (built) await rm(built, { recursive: true, force: true });
  });

  it('streams: every platform stream with its counts, as a table and as JSON (run with tsx, as npm run platform does)', async () => {
    const [tsxRun, tsxHelp] = await Promise.all([run(['streams'], { tsx: true }), run(['--help'], { tsx: true })]);
    expect(tsxRun.code, tsxRun.stderr).toBe(0);
    expect(tsxHelp.stdout).toMatch(/^usage: npm run platform -- <command>/);
    const text = tsxRun.stdout;
    expect(text.split('\n')[0]).toMatch(/^STREAM\s+SUBJECTS\s+MESSAGES\s+BYTES\s+FIRST\s+FIRST TIME\s+LAST\s+LAST TIME\s+CONSUMERS$/);
    expect(text).toMatch(/^ORDERS\s+orders\.>\s+3\s/m);
    const rows = JSON.parse(await ok(['streams', '--json'])) as Array<{ stream: string; messages: number; consumers: number; lastSeq: number }>;
    expect(rows.map((r) => r.stream).sort()).toEqual(platformTopology().streams.map((s) => s.name).sort());
    expect(rows.find((r) => r.stream === 'ORDERS')).toMatchObject({ messages: 3, lastSeq: 3, consumers: 5 });
    expect(rows.find((r) => r.stream === 'DLQ')).toMatchObject({ messages: 1 });
  });

  it('consumers: every durable with pending and ack pending, LAGGING and STUCK flagged', async () => {
    const rows = JSON.parse(await ok(['consumers', '--json', '--stale-after', '0'])) as Array<{ stream: string; durable: string; pending: number; ackPending: number; status: string }>;
    expect(rows.map((r) => `${r.stream}/${r.durable}`).sort()).toEqual(platformTopology().consumers.map((c) => `${c.stream}/${c.durable}`).sort());
    expect(rows.find((r) => r.durable === 'payment-orders')).toMatchObject({ pending: 2, ackPending: 1, status: 'STUCK' });
    expect(rows.find((r) => r.durable === 'inventory-orders')).toMatchObject({ pending: 3, ackPending: 0, status: 'LAGGING' });
    expect(rows.find((r) => r.durable === 'analytics-loyalty')).toMatchObject({ pending: 0, status: 'ok' });
    // with the default threshold (60 s) nothing is old enough yet
    const text = await ok(['consumers', '--stream', 'ORDERS']);
    expect(text).toMatch(/^ORDERS\s+payment-orders\s+orders\.\*\.\*\s+2\s+1\s.*\sok$/m);
    expect(text).not.toMatch(/INVENTORY/);
  });

  it('tail: decoded events, filtered by --type and --tenant, from a position, as lines or JSON', async () => {
    const [all, demoCreated, acme, fromSeq, latest, future] = await runAll([
      ['tail', 'ORDERS'],
      ['tail', 'ORDERS', '--type', 'order.created', '--tenant', 'demo', '--from', 'earliest'],
      ['tail', 'orders.*.*', '--tenant', 'acme', '--json'],
      ['tail', 'ORDERS', '--from', '2', '--json', '--limit', '1'],
      ['tail', 'ORDERS', '--json', '--limit', '2'],
      ['tail', 'ORDERS', '--from', new Date(Date.now() + 60_000).toISOString()],
    ]);
    for (const result of [all, demoCreated, acme, fromSeq, latest, future]) expect(result!.code, result!.stderr).toBe(0);
    const lines = all!.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+SEQ\s+SUBJECT\s+TYPE\s+TENANT\s+AGGREGATE\/SEQ\s+CORRELATION\s+AGE$/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(new RegExp(`\\s1\\s+orders\\.demo\\.created\\s+order\\.created\\.v1\\s+demo\\s+${ORDER_A}/1\\s+${created.correlationid}\\s+\\d+(ms|s)$`));
    expect(demoCreated!.stdout.trim().split('\n').slice(1)).toEqual([expect.stringMatching(new RegExp(`\\s1\\s+orders\\.demo\\.created\\s+order\\.created\\.v1\\s+demo\\s+${ORDER_A}/1\\s`))]);
    expect(acme!.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ stream: 'ORDERS', seq: 2, subject: 'orders.acme.created', envelope: expect.objectContaining({ tenantid: 'acme', subject: ORDER_B }) }),
    ]);
    expect(fromSeq!.stdout.trim().split('\n').map((l) => JSON.parse(l).seq)).toEqual([2]);
    expect(latest!.stdout.trim().split('\n').map((l) => JSON.parse(l).seq)).toEqual([2, 3]);
    expect(future!.stdout.trim()).toBe('tail: no matching events in ORDERS');
  });

  it('tail --follow: prints events published after it started; stops at --limit, or on Ctrl-C', async () => {
    const limited = start(['tail', 'PAYMENTS', '--follow', '--json', '--limit', '1', '--type', 'payment.captured.v1']);
    const open = start(['tail', 'payments.demo.*', '--follow']);
    await vi.waitFor(
      () => {
        expect(limited.output.stderr).toMatch(/following PAYMENTS/);
        expect(open.output.stderr).toMatch(/following PAYMENTS \(payments\.demo\.\*\)/);
      },
      { timeout: 15_000, interval: 50 },
    );
    await nats.publish({ type: 'payment.captured.v1', tenantId: 'demo', aggregateId: PAYMENT_A, source: 'payment', sequence: 2, data: { ...platformExamplePayloads['payment.captured.v1'], orderId: ORDER_A, paymentId: PAYMENT_A } });
    const result = await limited.done;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n').map((l) => JSON.parse(l).envelope.type)).toEqual(['payment.captured.v1']);
    await vi.waitFor(() => expect(open.output.stdout).toMatch(/payments\.demo\.captured\s+payment\.captured\.v1\s+demo/), { timeout: 10_000, interval: 50 });
    expect(open.output.stdout.split('\n')[0]).toMatch(/^TIME\s+SEQ\s+SUBJECT/);
    open.child.kill('SIGINT');
    expect((await open.done).code).toBe(0);
  });

  it('publish: a valid event lands in its stream with Nats-Msg-Id = event id; an invalid one is refused naming the field', async () => {
    const data = { sku: 'SKU-007', available: 1, threshold: 5 };
    await writeFile(join(dir, 'stock-low.json'), JSON.stringify(data));
    const out = JSON.parse(await ok(['publish', 'inventory.stock-low.v1', '--tenant', 'demo', '--data', `@${join(dir, 'stock-low.json')}`, '--json']));
    expect(out).toMatchObject({ stream: 'INVENTORY', duplicate: false, subject: 'inventory.demo.stock-low', envelope: { type: 'inventory.stock-low.v1', tenantid: 'demo', subject: 'SKU-007', sequence: 1, source: 'inventory', data } });
    const stored = (await nats.read('INVENTORY')).find((m) => m.seq === out.seq)!;
    expect(stored.subject).toBe('inventory.demo.stock-low');
    expect(stored.headers['Nats-Msg-Id']).toBe(out.envelope.id);
    expect(JSON.parse(new TextDecoder().decode(stored.data))).toEqual(out.envelope);

    const text = await ok(['publish', 'inventory.stock-low.v1', '--tenant', 'demo', '--data', JSON.stringify(data), '--aggregate', 'SKU-007', '--sequence', '2']);
    expect(text).toMatch(/^published inventory\.stock-low\.v1 \S+ \(aggregate SKU-007 #2\) on inventory\.demo\.stock-low: stream INVENTORY seq \d+$/m);

    const refused = await run(['publish', 'inventory.stock-low.v1', '--tenant', 'demo', '--data', JSON.stringify({ sku: 'SKU-007', available: -1, threshold: 5 })]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('refused, inventory.stock-low.v1 is invalid');
    expect(refused.stderr).toMatch(/^\s+available: /m);
    const unknown = await run(['publish', 'inventory.nope.v1', '--tenant', 'demo', '--data', '{}']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown event type "inventory.nope.v1"');
  });

  it('bad arguments exit 2 with a message naming them; an unreachable NATS exits 1', async () => {
    const cases: Array<[string[], RegExp, number?]> = [
      [[], /usage: npm run platform -- <command>/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['streams', '--colour'], /platform streams: unknown option --colour/],
      [['tail'], /tail: missing <stream\|subject>/],
      [['tail', 'ORDERS', '--from', 'yesterday'], /--from must be earliest, latest, a stream sequence or an ISO time.*"yesterday"/],
      [['tail', 'ORDERS', '--limit'], /--limit needs a value/],
      [['tail', 'ORDERS', '--type', 'order.shipped'], /--type "order.shipped" is not a platform event type/],
      [['publish', 'order.confirmed.v1', '--tenant', 'demo', '--data', '{nope'], /--data is not JSON/],
      [['dlq', 'redrive'], /dlq redrive: missing <seq>/],
    ];
    const results = await runAll(cases.map(([args]) => args));
    results.forEach((result, i) => {
      expect(result.code, cases[i]![0].join(' ')).toBe(2);
      expect(result.stderr, cases[i]![0].join(' ')).toMatch(cases[i]![1]);
    });
    const [help, config, unreachable] = await Promise.all([
      run(['tail', '--help']),
      run(['streams'], { env: { ...env, NATS_USER: 'someone' } }),
      run(['streams'], { env: { ...env, NATS_URL: 'nats://127.0.0.1:1' } }),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: npm run platform -- tail <stream\|subject>/);
    expect(config.code).toBe(2);
    expect(config.stderr).toMatch(/NATS_USER: set without NATS_PASSWORD/);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot connect to NATS at nats:\/\/127\.0\.0\.1:1/);
  });

  it('trace: an order\'s events across the streams in order, with source and steps, where each consumer is with them, and its dead letters', async () => {
    // ORDERS#1 (order A created): acked by inventory-orders, delivered to notification-orders and not acked yet
    const js = jetstream(operator);
    const acked = await (await js.consumers.get('ORDERS', 'inventory-orders')).next({ expires: 2_000 });
    await acked!.ackAck();
    const inFlight = await (await js.consumers.get('ORDERS', 'notification-orders')).next({ expires: 2_000 });
    expect([acked?.seq, inFlight?.seq]).toEqual([1, 1]);
    const out = JSON.parse(await ok(['trace', ORDER_A, '--json'])) as {
      events: Array<{ stream: string; envelope: EventEnvelope; sincePreviousMs?: number; consumers: Array<{ durable: string; state: string }> }>;
      deadLetters: Array<{ seq: number; consumer: string; reason: string }>;
    };
    expect(out.events.map((e) => [e.stream, e.envelope.type, e.envelope.source])).toEqual([
      ['ORDERS', 'order.created.v1', 'order'],
      ['PAYMENTS', 'payment.authorized.v1', 'payment'],
      ['ORDERS', 'order.confirmed.v1', 'order'],
      ['PAYMENTS', 'payment.captured.v1', 'payment'],
    ]);
    expect(out.events[0]!.sincePreviousMs).toBeUndefined();
    expect(out.events.slice(1).every((e) => typeof e.sincePreviousMs === 'number' && e.sincePreviousMs >= 0)).toBe(true);
    expect(out.deadLetters).toEqual([expect.objectContaining({ consumer: 'payment-orders', reason: 'retries_exhausted' })]);
    // every durable of ORDERS whose filter takes orders.demo.created, where it is with ORDERS#1
    expect(out.events[0]!.consumers).toEqual([
      { durable: 'analytics-orders', state: 'pending' },
      { durable: 'inventory-orders', state: 'acked' },
      { durable: 'notification-orders', state: 'delivered' },
      { durable: 'payment-orders', state: 'dead-lettered' },
    ]);
    // order A's confirmed event: loyalty-orders (orders.*.confirmed) takes it too
    expect(out.events[2]!.consumers.map((c) => c.durable)).toEqual(['analytics-orders', 'inventory-orders', 'loyalty-orders', 'notification-orders', 'payment-orders']);

    const text = await ok(['trace', ORDER_A, '--tenant', 'demo']);
    expect(text).toMatch(new RegExp(`^trace: order ${ORDER_A}: 4 events over \\S+, 1 dead letters, 4 not handled by every consumer yet$`, 'm'));
    expect(text).toMatch(/^not handled yet:$/m);
    expect(text).toMatch(/^ {2}ORDERS#1 order\.created\.v1: analytics-orders pending, notification-orders delivered, payment-orders dead-lettered$/m);
    expect(text).toMatch(/ORDERS#1\s+order\.created\.v1\s+order\s+demo/);
    expect(text).toMatch(/^dead letters:$/m);
    expect(await ok(['trace', ORDER_A, '--tenant', 'acme'])).toMatch(/^trace: no events of order/);
  });

  it('dlq: list, show, redrive (back to its original subject) and discard dead letters', async () => {
    // a second dead letter, not an envelope at all
    await new DeadLetterPublisher(new JetStreamPublisher(jetstream(operator))).deadLetter(
      { subject: 'orders.demo.confirmed', data: new TextEncoder().encode('not json'), headers: {}, stream: 'ORDERS', streamSequence: 3, deliveryCount: 1 },
      { reason: DeadLetterReason.MalformedEnvelope, consumer: 'loyalty-orders' },
    );
    const listed = JSON.parse(await ok(['dlq', 'list', '--json'])) as Array<{ seq: number; consumer: string; reason: string; originalSubject: string }>;
    expect(listed).toEqual([
      expect.objectContaining({ consumer: 'payment-orders', reason: 'retries_exhausted', originalSubject: 'orders.demo.created' }),
      expect.objectContaining({ consumer: 'loyalty-orders', reason: 'malformed_envelope', originalSubject: 'orders.demo.confirmed' }),
    ]);
    const [seq, malformed] = [listed[0]!.seq, listed[1]!.seq];
    const [mine, others, shownJson, shown, shownText] = await runAll([
      ['dlq', 'list', '--consumer', 'payment-orders'],
      ['dlq', 'list', '--consumer', 'inventory-orders'],
      ['dlq', 'show', String(seq), '--json'],
      ['dlq', 'show', String(seq)],
      ['dlq', 'show', String(malformed)],
    ]);
    expect(mine!.stdout).toMatch(new RegExp(`^\\s*${seq}\\s+\\S+\\s+payment-orders\\s+retries_exhausted\\s+4\\s+ORDERS#1\\s+orders\\.demo\\.created\\s+Error: gateway down$`, 'm'));
    expect(mine!.stdout).not.toContain('loyalty-orders');
    expect(others!.stdout.trim()).toBe('dlq: empty');
    expect(JSON.parse(shownJson!.stdout)).toMatchObject({ seq, headers: { 'Dlq-Reason': 'retries_exhausted' }, payload: { id: created.id, type: 'order.created.v1' } });
    expect(shown!.stdout).toContain(`"Dlq-Consumer": "payment-orders"`);
    expect(shownText!.stdout).toMatch(/not json\n$/);

    const before = (await nats.read('ORDERS')).length;
    const [redrive, discard] = await Promise.all([run(['dlq', 'redrive', String(seq)]), run(['dlq', 'discard', String(malformed)])]);
    expect(redrive.stdout).toBe(`dlq: #${seq} redriven to ORDERS seq ${before + 1}\n`);
    expect(discard.stdout).toBe(`dlq: #${malformed} discarded\n`);
    const redriven = (await nats.read('ORDERS')).at(-1)!;
    expect(redriven.subject).toBe('orders.demo.created');
    expect(redriven.headers['Redriven-From']).toBe(String(seq));
    expect(redriven.headers['Redrive-Consumer']).toBe('payment-orders');
    const [empty, gone] = await Promise.all([run(['dlq', 'list']), run(['dlq', 'show', String(seq)])]);
    expect(empty.stdout.trim()).toBe('dlq: empty');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/no message/);
  });

  it('replay: recreates a durable at a sequence or time with the same limits; a running consumer gets the messages again, and provisioning accepts it', async () => {
    const DURABLE = 'analytics-orders';
    const js = jetstream(operator);
    const jsm = await jetstreamManager(operator);
    const before = await jsm.consumers.info('ORDERS', DURABLE);
    // the durable running in a service's ConsumerRunner (as analytics would run it), recording what it handles
    const seen: number[] = [];
    const record = async (_event: EventEnvelope, context: { delivery: { streamSequence: number } }) => void seen.push(context.delivery.streamSequence);
    const runner = new ConsumerRunner({
      js,
      stream: 'ORDERS',
      durable: DURABLE,
      processor: new MessageProcessor({
        consumer: DURABLE,
        registry: createPlatformRegistry(),
        handlers: new Map([
          ['order.created.v1', record],
          ['order.confirmed.v1', record],
        ]),
        deadLetters: new DeadLetterPublisher(new JetStreamPublisher(js)),
      }),
    });
    runner.start();
    try {
      const stored = (await nats.read('ORDERS')).map((m) => m.seq);
      await vi.waitFor(() => expect([...new Set(seen)].sort((a, b) => a - b)).toEqual(stored), { timeout: 10_000 });
      await vi.waitFor(async () => expect((await jsm.consumers.info('ORDERS', DURABLE)).num_ack_pending).toBe(0), { timeout: 10_000 });

      // without --yes nothing changes
      const dry = await run(['replay', DURABLE, '--from', '2']);
      expect(dry.code, dry.stderr).toBe(0);
      expect(dry.stdout).toMatch(/^replay: would recreate analytics-orders on ORDERS .* from seq 2;/);
      expect((await jsm.consumers.info('ORDERS', DURABLE)).config.deliver_policy).toBe('all');

      seen.length = 0;
      const done = await run(['replay', DURABLE, '--from', '2', '--yes', '--wait', '--json']);
      expect(done.code, done.stderr).toBe(0);
      const replayed = stored.filter((seq) => seq >= 2);
      expect(JSON.parse(done.stdout)).toMatchObject({ durable: DURABLE, stream: 'ORDERS', from: 2, done: true, pending: replayed.length, caughtUp: true });
      expect(seen).toEqual(expect.arrayContaining(replayed));
      expect(seen).not.toContain(1);
      const after = await jsm.consumers.info('ORDERS', DURABLE);
      expect(after.config).toMatchObject({ deliver_policy: 'by_start_sequence', opt_start_seq: 2 });
      for (const field of ['filter_subject', 'ack_wait', 'max_deliver', 'max_ack_pending', 'ack_policy', 'description'] as const) {
        expect([field, after.config[field]]).toEqual([field, before.config[field]]);
      }
      // the provisioner takes the replayed durable as it is (nothing refused, nothing to change)
      const report = await provision(jsm, platformTopology(), { dryRun: true });
      expect(report.entries.find((e) => e.name === `ORDERS/${DURABLE}`)).toMatchObject({ refusals: [], changes: [] });

      const byTime = JSON.parse(await ok(['replay', DURABLE, '--from', '2000-01-01T00:00:00Z', '--yes', '--json'])) as { pending: number };
      expect(byTime.pending).toBe(stored.length);
      expect((await jsm.consumers.info('ORDERS', DURABLE)).config).toMatchObject({ deliver_policy: 'by_start_time' });
    } finally {
      await runner.stop();
    }

    const cases: Array<[string[], RegExp]> = [
      [['replay'], /replay: missing <durable>/],
      [['replay', DURABLE], /replay: --from is required/],
      [['replay', DURABLE, '--from', 'yesterday'], /--from must be earliest, a stream sequence or an ISO time.*"yesterday"/],
      [['replay', 'nobody-orders', '--from', '1'], /unknown durable "nobody-orders" \(durables: .*analytics-orders/],
      [['replay', DURABLE, '--from', '999999', '--yes'], /--from 999999 is past the end of ORDERS/],
    ];
    const results = await runAll(cases.map(([args]) => args));
    results.forEach((result, i) => {
      expect([cases[i]![0].join(' '), result.code]).toEqual([cases[i]![0].join(' '), 2]);
      expect(result.stderr, cases[i]![0].join(' ')).toMatch(cases[i]![1]);
    });
  });

  it("outbox status: each service's relay leader, backlog and oldest row from its /metrics; STUCK past 60 s; unreachable exits 1", async () => {
    const metrics = (leader: number, pending: number, lag: number) =>
      `# TYPE events_outbox_relay_leader gauge\nevents_outbox_relay_leader{service="x"} ${leader}\nevents_outbox_pending_rows{service="x"} ${pending}\nevents_outbox_relay_lag_seconds{service="x"} ${lag}\n`;
    const server = createServer((request, response) => {
      const body = request.url === '/metrics' ? metrics(1, 3, 75) : request.url === '/follower/metrics' ? metrics(0, 0, 0) : request.url === '/fine/metrics' ? metrics(1, 0, 0) : undefined;
      response.writeHead(body ? 200 : 404).end(body ?? 'not found');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const all = await run(['outbox', 'status', '--services', `order=${base},payment=${base}/follower,loyalty=${base}/fine,inventory=${base}/missing`]);
      expect(all.code, all.stderr).toBe(1);
      expect(all.stderr).toMatch(/inventory could not be read/);
      const lines = all.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^SERVICE\s+URL\s+LEADER\s+PENDING\s+OLDEST\s+STATUS$/);
      expect(lines.slice(1).map((line) => line.split(/\s+/)[0])).toEqual(['order', 'payment', 'loyalty', 'inventory']);
      expect(lines[1]).toMatch(/yes\s+3\s+1m15s\s+STUCK$/);
      expect(lines[2]).toMatch(/no\s+-\s+-\s+no leader here$/);
      expect(lines[3]).toMatch(/yes\s+0\s+0ms\s+ok$/);
      expect(lines[4]).toMatch(/unreachable: GET \/metrics answered 404$/);
      const json = await run(['outbox', 'status', '--json', '--services', `order=${base}`]);
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual([{ service: 'order', url: base, leader: true, pendingRows: 3, oldestAgeSeconds: 75, status: 'STUCK' }]);
      const bad = await run(['outbox', 'status', '--services', 'order']);
      expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/--services takes name=http:\/\/host:port pairs/)]);
      const unknown = await run(['outbox', 'purge']);
      expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/unknown action "purge"/)]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
