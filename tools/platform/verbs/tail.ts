import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import type { EventEnvelope } from '@platform/events';
import { intOption, OperationError, parseVerbArgs, stringOption, takePositionals, UsageError } from '../args.js';
import { age, fixedLine, table, type Column } from '../output.js';
import { events, loadEvents } from '../../lib/libraries.js';
import { decode, follow, parseStreamPosition, scan, type StartAt } from '../scan.js';
import type { Verb } from '../verb.js';

/** `--type` (versioned `order.created.v1`, or every version: `order.created`) and `--tenant`. */
export interface EventFilter {
  readonly type?: string;
  readonly tenant?: string;
}

export function parseEventFilter(command: string, type: string | undefined, tenant: string | undefined): EventFilter {
  const { createPlatformRegistry, TENANT_ID_PATTERN } = events();
  if (tenant !== undefined && !TENANT_ID_PATTERN.test(tenant)) throw new UsageError(`${command}: --tenant "${tenant}" does not match ${TENANT_ID_PATTERN}`);
  if (type !== undefined) {
    const registry = createPlatformRegistry();
    const known = registry.has(type) || registry.versionsOf(type).length > 0;
    if (!known) {
      throw new UsageError(`${command}: --type "${type}" is not a platform event type`, [
        `known: ${registry.list().map((c) => c.type).join(', ')} (or one without its version, e.g. order.created)`,
      ]);
    }
  }
  return { type, tenant };
}

export function matchesFilter(envelope: EventEnvelope | undefined, filter: EventFilter): boolean {
  if (!filter.type && !filter.tenant) return true;
  if (!envelope) return false;
  if (filter.tenant && envelope.tenantid !== filter.tenant) return false;
  if (filter.type && envelope.type !== filter.type && !envelope.type.startsWith(`${filter.type}.v`)) return false;
  return true;
}

/** The event name and domain of a `--type` (`order.created[.v1]` → orders, created). */
function typeTokens(type: string | undefined): { domain: string; name: string } | undefined {
  if (!type) return undefined;
  const { domainOf, parseEventType } = events();
  const { producer, name } = parseEventType(/\.v[1-9][0-9]*$/.test(type) ? type : `${type}.v1`);
  return { domain: domainOf(producer), name };
}

/**
 * The narrowest server-side filter subject for a stream with one `<prefix>.>` subject (the
 * platform's domain streams and DLQ), so that the server skips what cannot match; the exact
 * type (version) and tenant are still checked on each decoded envelope.
 */
export function filterSubject(streamSubjects: readonly string[], filter: EventFilter): string | undefined {
  if (!filter.type && !filter.tenant) return undefined;
  const only = streamSubjects.length === 1 ? /^([a-z0-9-]+)\.>$/.exec(streamSubjects[0]!)?.[1] : undefined;
  if (!only) return undefined;
  const tokens = typeTokens(filter.type);
  if (only === 'dlq') return `dlq.*.${tokens?.domain ?? '*'}.${filter.tenant ?? '*'}.${tokens?.name ?? '*'}`;
  if (tokens && tokens.domain !== only) return undefined;
  return `${only}.${filter.tenant ?? '*'}.${tokens?.name ?? '*'}`;
}

/** `<stream>` (an upper-case stream name) or `<subject>` (e.g. `orders.demo.*`): the stream and filter. */
export async function resolveTarget(jsm: JetStreamManager, target: string): Promise<{ stream: string; subjects: string[]; subject?: string }> {
  const names: string[] = [];
  for await (const info of jsm.streams.list()) names.push(info.config.name);
  if (names.includes(target)) {
    const info = await jsm.streams.info(target);
    return { stream: target, subjects: info.config.subjects ?? [] };
  }
  if (!target.includes('.') && !/^[*>]$/.test(target)) {
    throw new UsageError(`tail: no stream "${target}" and not a subject`, [`streams: ${names.sort().join(', ')}; or a subject such as orders.demo.created or 'orders.*.created'`]);
  }
  const stream = await jsm.streams.find(target).catch(() => undefined);
  if (!stream) throw new UsageError(`tail: no stream holds subject "${target}"`, [`streams: ${names.sort().join(', ')}`]);
  const info = await jsm.streams.info(stream);
  return { stream, subjects: info.config.subjects ?? [], subject: target };
}

export interface TailRow {
  readonly stream: string;
  readonly seq: number;
  readonly subject: string;
  /** When the stream stored the message. */
  readonly storedAt: string;
  readonly envelope?: EventEnvelope;
  /** Why the message is not a platform envelope. */
  readonly error?: string;
}

export function tailRow(stream: string, message: JsMsg): TailRow {
  const decoded = decode(message.data);
  return { stream, seq: message.seq, subject: message.subject, storedAt: message.time.toISOString(), ...decoded };
}

export const TAIL_COLUMNS: readonly Column<TailRow>[] = [
  { header: 'TIME', value: (r) => r.envelope?.time ?? r.storedAt, width: 24 },
  { header: 'SEQ', value: (r) => r.seq, align: 'right', width: 6 },
  { header: 'SUBJECT', value: (r) => r.subject, width: 30 },
  { header: 'TYPE', value: (r) => r.envelope?.type ?? '(not an envelope)', width: 30 },
  { header: 'TENANT', value: (r) => r.envelope?.tenantid, width: 8 },
  { header: 'AGGREGATE/SEQ', value: (r) => (r.envelope ? `${r.envelope.subject}/${r.envelope.sequence}` : undefined), width: 40 },
  { header: 'CORRELATION', value: (r) => r.envelope?.correlationid, width: 36 },
  { header: 'AGE', value: (r) => age(r.envelope?.time ?? r.storedAt), align: 'right', width: 6 },
];

/** `--from`: earliest | latest | <stream sequence> | <ISO time>. */
export function parseFrom(raw: string | undefined): StartAt | 'latest' {
  if (raw === undefined || raw === 'latest') return 'latest';
  const position = parseStreamPosition(raw);
  if (position) return position;
  throw new UsageError(`tail: --from must be earliest, latest, a stream sequence or an ISO time (2026-01-31T12:00:00Z), got "${raw}"`);
}

/** The last `limit` matching messages up to `endSeq`: windows that grow backwards from the end. */
async function lastMatching(js: JetStreamClient, stream: string, filter: string | undefined, firstSeq: number, endSeq: number, limit: number, keep: (row: TailRow) => boolean): Promise<TailRow[]> {
  let window = Math.max(limit, 256);
  for (;;) {
    const start = Math.max(firstSeq, endSeq - window + 1);
    const rows: TailRow[] = [];
    for await (const message of scan(js, { stream, filter, start: { kind: 'seq', seq: start }, endSeq })) {
      const row = tailRow(stream, message);
      if (keep(row)) rows.push(row);
    }
    if (rows.length >= limit || start <= firstSeq) return rows.slice(-limit);
    window *= 8;
  }
}

const OPTIONS = {
  from: { type: 'string', value: 'where', description: 'earliest | latest (default) | <stream seq> | <ISO time>' },
  type: { type: 'string', value: 'type', description: 'only this event type: order.created.v1, or every version: order.created' },
  tenant: { type: 'string', value: 'tenant', description: 'only this tenant' },
  limit: { type: 'string', value: 'N', description: 'at most N events (default 20; with --follow: no limit)' },
  follow: { type: 'boolean', short: 'f', description: 'keep printing new events until Ctrl-C (or --limit)' },
} as const;

export const tail: Verb = {
  name: 'tail',
  summary: 'decoded events of a stream or subject, one line each (time, seq, subject, type, tenant, aggregate/sequence, correlation, age)',
  usage: 'tail <stream|subject> [--from earliest|latest|<seq>|<ISO time>] [--type <t>] [--tenant <t>] [--limit N] [--follow] [--json]',
  options: OPTIONS,
  notes: [
    '--from latest (default): the last --limit events that match; with --follow, only events published from now on.',
    '--from earliest|<seq>|<time>: the first --limit events that match from there, up to the end of the stream (with --follow: on).',
    '--json: one JSON object per line: stream, seq, subject, storedAt, envelope (or error).',
    'examples: tail ORDERS --tenant demo --limit 50;  tail "orders.*.cancelled" --from 2026-01-31T12:00:00Z;  tail DLQ --follow',
  ],
  async run({ argv, nats, print, note, signal }) {
    const { values, positionals } = parseVerbArgs('tail', argv, OPTIONS);
    const [target] = takePositionals('tail', positionals, ['stream|subject']);
    const from = parseFrom(stringOption(values, 'from'));
    const followMode = values['follow'] === true;
    const limit = intOption('tail', values, 'limit', 1) ?? (followMode ? Infinity : 20);
    const json = values['json'] === true;
    await loadEvents();
    const filter = parseEventFilter('tail', stringOption(values, 'type'), stringOption(values, 'tenant'));

    const { js, jsm } = await nats();
    const resolved = await resolveTarget(jsm, target!);
    const subject = resolved.subject ?? filterSubject(resolved.subjects, filter);
    const info = await jsm.streams.info(resolved.stream);
    const endSeq = info.state.last_seq;
    const keep = (row: TailRow) => matchesFilter(row.envelope, filter);

    let printed = 0;
    const emit = (row: TailRow, streaming: boolean) => {
      printed++;
      if (json) print(JSON.stringify(row));
      else if (streaming) print(fixedLine(row, TAIL_COLUMNS));
    };
    if (!json && followMode) print(fixedLine(undefined, TAIL_COLUMNS));

    // history: up to the end of the stream as it was at the start
    const history: TailRow[] = [];
    let nextSeq = endSeq + 1;
    if (from === 'latest') {
      if (!followMode && info.state.messages > 0) history.push(...(await lastMatching(js, resolved.stream, subject, info.state.first_seq, endSeq, limit, keep)));
    } else {
      for await (const message of scan(js, { stream: resolved.stream, filter: subject, start: from, endSeq })) {
        const row = tailRow(resolved.stream, message);
        nextSeq = message.seq + 1;
        if (!keep(row)) continue;
        history.push(row);
        if (history.length >= limit) break;
      }
      if (history.length === 0 && from.kind === 'seq' && from.seq > endSeq) nextSeq = from.seq;
    }
    for (const row of history) emit(row, followMode);
    if (!json && !followMode) print(history.length ? table(history, TAIL_COLUMNS) : `tail: no matching events in ${resolved.stream}${subject ? ` (${subject})` : ''}`);
    if (!followMode || printed >= limit || signal.aborted) return;

    // then everything new, until Ctrl-C or --limit
    const followFrom = Math.max(nextSeq, endSeq + 1);
    note(`tail: following ${resolved.stream}${subject ? ` (${subject})` : ''} from seq ${followFrom}, Ctrl-C to stop`);
    try {
      await follow(js, { stream: resolved.stream, filter: subject, start: { kind: 'seq', seq: followFrom } }, signal, (message) => {
        const row = tailRow(resolved.stream, message);
        if (keep(row)) emit(row, true);
        return printed < limit;
      });
    } catch (error) {
      if (!signal.aborted) throw new OperationError(`tail: ${(error as Error).message}`, { cause: error });
    }
  },
};
