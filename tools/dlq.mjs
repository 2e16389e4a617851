#!/usr/bin/env node
// npm run dlq -- list [--consumer payment-orders] [--limit 20] | show <seq> | redrive <seq> | discard <seq>
// Inspect and redrive dead-lettered messages (operator rights on the DLQ stream). NATS_URL,
// NATS_CREDS / NATS_NKEY_SEED_FILE / NATS_USER + NATS_PASSWORD and NATS_TLS_CA / NATS_TLS_CERT +
// NATS_TLS_KEY as for provisioning (with npm start: the operator identity it prints).
const USAGE = 'usage: npm run dlq -- list [--consumer <durable>] [--limit N] | show <seq> | redrive <seq> | discard <seq>';

function fail(message, code = 2) {
  console.error(`dlq: ${message}`);
  process.exit(code);
}

const [command, ...args] = process.argv.slice(2);
if (!['list', 'show', 'redrive', 'discard'].includes(command)) fail(USAGE);
const options = { consumer: undefined, limit: 20, seq: undefined };
if (command === 'list') {
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--consumer' && args[i + 1]) options.consumer = args[i + 1];
    else if (args[i] === '--limit' && /^[1-9][0-9]{0,4}$/.test(args[i + 1] ?? '')) options.limit = Number(args[i + 1]);
    else fail(`bad option ${args[i]} ${args[i + 1] ?? ''}\n${USAGE}`);
  }
} else {
  if (!/^[1-9][0-9]*$/.test(args[0] ?? '')) fail(`${command} needs a DLQ stream sequence\n${USAGE}`);
  options.seq = Number(args[0]);
}

let lib;
try {
  lib = await import('@platform/events');
} catch (error) {
  fail(`cannot load the built events library (${error.message}); build it first: npx tsc -b libs/events/tsconfig.json`);
}
const { connectNats, DeadLetterQueue, JetStreamPublisher } = lib;
const { jetstream, jetstreamManager } = await import('@nats-io/jetstream');
const env = process.env;
const tls = { caFile: env.NATS_TLS_CA?.trim() || undefined, certFile: env.NATS_TLS_CERT?.trim() || undefined, keyFile: env.NATS_TLS_KEY?.trim() || undefined };
let nc;
try {
  nc = await connectNats({
    url: env.NATS_URL?.trim() || 'nats://127.0.0.1:4222',
    service: 'dlq-cli',
    credsFile: env.NATS_CREDS?.trim() || undefined,
    nkeySeedFile: env.NATS_NKEY_SEED_FILE?.trim() || undefined,
    user: env.NATS_USER?.trim() || undefined,
    password: env.NATS_PASSWORD || undefined,
    ...(tls.caFile || tls.certFile || tls.keyFile ? { tls } : {}),
  });
} catch (error) {
  fail(`cannot connect to NATS: ${error.message}`, 1);
}
try {
  const js = jetstream(nc);
  const dlq = new DeadLetterQueue({ js, jsm: await jetstreamManager(nc), publisher: new JetStreamPublisher(js) });
  const describe = (m) => `#${m.seq} ${m.failedAt} ${m.consumer} ${m.reason} after ${m.deliveryCount} deliveries: ${m.originalSubject} (stream ${m.originalStream} seq ${m.originalSequence})${m.error ? ` — ${m.error}` : ''}`;
  if (command === 'list') {
    const messages = await dlq.list({ consumer: options.consumer, limit: options.limit });
    if (messages.length === 0) console.log('dlq: empty');
    for (const m of messages) console.log(describe(m));
  } else if (command === 'show') {
    const m = await dlq.get(options.seq);
    console.log(describe(m));
    console.log(JSON.stringify(m.headers, null, 2));
    console.log(new TextDecoder().decode(m.data));
  } else if (command === 'redrive') {
    const ack = await dlq.redrive(options.seq);
    console.log(`dlq: #${options.seq} redriven to ${ack.stream} seq ${ack.seq}`);
  } else {
    await dlq.discard(options.seq);
    console.log(`dlq: #${options.seq} discarded`);
  }
} catch (error) {
  fail(error.message, 1);
} finally {
  await nc.close();
}
