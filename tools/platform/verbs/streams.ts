import type { StreamInfo } from '@nats-io/jetstream';
import { parseVerbArgs, takePositionals } from '../args.js';
import { bytes, isoMillis, table } from '../output.js';
import type { Verb } from '../verb.js';

export interface StreamRow {
  readonly stream: string;
  readonly subjects: readonly string[];
  readonly messages: number;
  readonly bytes: number;
  readonly firstSeq: number;
  readonly firstTime: string | undefined;
  readonly lastSeq: number;
  readonly lastTime: string | undefined;
  readonly consumers: number;
}

export function streamRow(info: StreamInfo): StreamRow {
  const state = info.state;
  const empty = state.messages === 0;
  return {
    stream: info.config.name,
    subjects: info.config.subjects ?? [],
    messages: state.messages,
    bytes: state.bytes,
    firstSeq: state.first_seq,
    firstTime: empty ? undefined : isoMillis(state.first_ts),
    lastSeq: state.last_seq,
    lastTime: empty ? undefined : isoMillis(state.last_ts),
    consumers: state.consumer_count,
  };
}

export const streams: Verb = {
  name: 'streams',
  summary: 'every stream: messages, bytes, first/last sequence and time, consumers',
  usage: 'streams [--json]',
  options: {},
  async run({ argv, nats, print }) {
    const { values, positionals } = parseVerbArgs('streams', argv, {});
    takePositionals('streams', positionals, []);
    const { jsm } = await nats();
    const rows: StreamRow[] = [];
    for await (const info of jsm.streams.list()) rows.push(streamRow(info));
    rows.sort((a, b) => a.stream.localeCompare(b.stream));
    if (values['json']) return print(JSON.stringify(rows, null, 2));
    if (rows.length === 0) return print('streams: none (is the topology provisioned? npm run provision)');
    print(
      table(rows, [
        { header: 'STREAM', value: (r) => r.stream },
        { header: 'SUBJECTS', value: (r) => r.subjects.join(',') },
        { header: 'MESSAGES', value: (r) => r.messages, align: 'right' },
        { header: 'BYTES', value: (r) => bytes(r.bytes), align: 'right' },
        { header: 'FIRST', value: (r) => (r.messages ? r.firstSeq : undefined), align: 'right' },
        { header: 'FIRST TIME', value: (r) => r.firstTime },
        { header: 'LAST', value: (r) => (r.messages ? r.lastSeq : r.lastSeq || undefined), align: 'right' },
        { header: 'LAST TIME', value: (r) => r.lastTime },
        { header: 'CONSUMERS', value: (r) => r.consumers, align: 'right' },
      ]),
    );
  },
};
