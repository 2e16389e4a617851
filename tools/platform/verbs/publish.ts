import { readFile } from 'node:fs/promises';
import type { InvalidEventError } from '@platform/events';
import { loadEvents } from '../../lib/libraries.js';
import { intOption, OperationError, parseVerbArgs, requiredString, stringOption, takePositionals, UsageError } from '../args.js';
import type { Verb } from '../verb.js';

async function readData(raw: string): Promise<unknown> {
  let text = raw;
  if (raw.startsWith('@')) {
    try {
      text = await readFile(raw.slice(1), 'utf8');
    } catch (error) {
      throw new UsageError(`publish: --data ${raw}: cannot read ${raw.slice(1)} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`publish: --data is not JSON: ${(error as Error).message}`);
  }
}

function invalid(error: InvalidEventError): UsageError {
  return new UsageError(`publish: refused, ${error.eventType} is invalid:`, error.issues.map((issue) => `  ${issue.property}: ${issue.messages.join(', ')}`));
}

const OPTIONS = {
  tenant: { type: 'string', value: 'tenant', description: 'the tenant (required)' },
  data: { type: 'string', value: 'json|@file', description: 'the payload: JSON text, or @path of a JSON file (required)' },
  aggregate: { type: 'string', value: 'id', description: "the aggregate id (envelope subject); default: the payload's subject field (orderId, sku, …)" },
  sequence: { type: 'string', value: 'N', description: 'the per-aggregate sequence (default 1)' },
  source: { type: 'string', value: 'service', description: "the envelope's source (default: the type's producer, e.g. order)" },
  correlation: { type: 'string', value: 'id', description: 'the correlation id (default: the new event id)' },
} as const;

export const publish: Verb = {
  name: 'publish',
  summary: 'publish one event, validated against its contract, as its producer would',
  usage: 'publish <type> --tenant <t> --data <json|@file> [--aggregate <id>] [--sequence N] [--source <s>] [--correlation <id>] [--json]',
  options: OPTIONS,
  notes: [
    'The payload is validated against the contract registry (createPlatformRegistry().validate): an invalid one is refused',
    'with its field errors (exit 2). The envelope gets a new UUIDv7 id, sent as Nats-Msg-Id, on subjectFor(type, tenant).',
    'Consumers apply one event per (source, tenant, aggregate, sequence): for an aggregate that already has events,',
    'pass the next --sequence, or the inbox skips it as a duplicate (or holds it back as a gap).',
    `example: publish inventory.stock-low.v1 --tenant demo --data '{"sku":"SKU-001","available":1,"threshold":5}'`,
  ],
  async run({ argv, nats, print }) {
    const { values, positionals } = parseVerbArgs('publish', argv, OPTIONS);
    const [type] = takePositionals('publish', positionals, ['type']);
    const tenant = requiredString('publish', values, 'tenant');
    const rawData = requiredString('publish', values, 'data');
    const sequence = intOption('publish', values, 'sequence', 1) ?? 1;
    const { CE_TYPE_HEADER, createEnvelope, createPlatformRegistry, createTraceparent, encodeEnvelope, InvalidEventError, JetStreamPublisher, parseEventType, subjectFor, TENANT_ID_PATTERN } =
      await loadEvents();
    if (!TENANT_ID_PATTERN.test(tenant)) throw new UsageError(`publish: --tenant "${tenant}" does not match ${TENANT_ID_PATTERN}`);
    const registry = createPlatformRegistry();
    const contract = registry.find(type!);
    if (!contract) throw new UsageError(`publish: unknown event type "${type}"`, [`known: ${registry.list().map((c) => c.type).join(', ')}`]);
    const data = await readData(rawData);

    let envelope;
    try {
      registry.validate(contract.type, data);
      envelope = createEnvelope({
        contract,
        data: data as object,
        source: stringOption(values, 'source') ?? parseEventType(contract.type).producer,
        tenantId: tenant,
        subject: stringOption(values, 'aggregate'),
        sequence,
        correlationId: stringOption(values, 'correlation'),
        traceparent: createTraceparent(),
      });
    } catch (error) {
      if (error instanceof InvalidEventError) throw invalid(error);
      throw error;
    }
    const subject = subjectFor(envelope.type, envelope.tenantid);
    const { js } = await nats();
    let ack;
    try {
      ack = await new JetStreamPublisher(js).publish(subject, encodeEnvelope(envelope), {
        msgId: envelope.id,
        headers: { [CE_TYPE_HEADER]: envelope.type, traceparent: envelope.traceparent! },
      });
    } catch (error) {
      throw new OperationError(`publish: ${subject}: ${(error as Error).message}`, { cause: error });
    }
    if (values['json']) return print(JSON.stringify({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate, subject, envelope }, null, 2));
    print(`published ${envelope.type} ${envelope.id} (aggregate ${envelope.subject} #${envelope.sequence}) on ${subject}: stream ${ack.stream} seq ${ack.seq}${ack.duplicate ? ' (duplicate: already stored)' : ''}`);
  },
};
