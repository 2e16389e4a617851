import { DeliverPolicy, type ConsumerConfig, type ConsumerInfo, type JetStreamManager } from '@nats-io/jetstream';
import { intOption, OperationError, parseVerbArgs, stringOption, takePositionals, UsageError } from '../args.js';
import { events, loadEvents } from '../../lib/libraries.js';
import { parseStreamPosition, type StreamPosition } from '../scan.js';
import type { Verb } from '../verb.js';

export function parseReplayStart(raw: string | undefined): StreamPosition {
  if (raw === undefined) throw new UsageError('replay: --from is required (earliest, a stream sequence or an ISO time)', ['see: npm run platform -- replay --help']);
  const position = parseStreamPosition(raw);
  if (position) return position;
  throw new UsageError(`replay: --from must be earliest, a stream sequence or an ISO time (2026-01-31T12:00:00Z), got "${raw}"`);
}

/**
 * The durable's config, recreated to deliver from `start`: everything else (filter, ack wait, max
 * deliver, max ack pending, backoff, replicas) as it is now.
 */
export function replayConfig(current: ConsumerConfig, start: StreamPosition): ConsumerConfig {
  const { opt_start_seq: _seq, opt_start_time: _time, deliver_policy: _policy, ...rest } = current;
  if (start.kind === 'all') return { ...rest, deliver_policy: DeliverPolicy.All };
  if (start.kind === 'seq') return { ...rest, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start.seq };
  return { ...rest, deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.time.toISOString() };
}

function describeStart(start: StreamPosition): string {
  if (start.kind === 'all') return 'the first message';
  return start.kind === 'seq' ? `seq ${start.seq}` : start.time.toISOString();
}

/** Polls the durable until it has nothing pending or unacknowledged, noting progress; false on timeout. */
async function waitUntilCaughtUp(jsm: JetStreamManager, stream: string, durable: string, timeoutMs: number, note: (line: string) => void, signal: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let total: number | undefined;
  for (;;) {
    const info: ConsumerInfo = await jsm.consumers.info(stream, durable);
    const left = info.num_pending + info.num_ack_pending;
    total ??= left;
    if (left === 0) return true;
    note(`replay: ${durable} ${total - Math.min(left, total)}/${total} handled, ${info.num_pending} pending, ${info.num_ack_pending} in flight`);
    if (Date.now() > deadline || signal.aborted) return false;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

export const replay: Verb = {
  name: 'replay',
  summary: "re-deliver a stream to one durable from a sequence or a time (its inbox skips what it applied)",
  usage: 'replay <durable> --from earliest|<seq>|<ISO time> [--yes] [--wait] [--timeout <s>] [--json]',
  options: {
    from: { type: 'string', value: 'where', description: 'earliest | <stream seq> | <ISO time>: the first message to deliver again' },
    yes: { type: 'boolean', description: 'do it (without: print what would be re-delivered, change nothing)' },
    wait: { type: 'boolean', description: 'then follow the re-delivery until the durable has caught up (progress on stderr)' },
    timeout: { type: 'string', value: 's', description: 'with --wait: give up after this many seconds (default 300), exit 1' },
  },
  notes: [
    'The durable is deleted and created again at --from with the same filter and limits (nats-server 2.9 cannot',
    'move a durable). The running service reconnects to it by itself. Its inbox (8 days) and its aggregates\'',
    'sequence rows (35 days) skip every event it applied already: only events its database does not know are',
    'applied — a projection rebuilt from a backup, or one whose rows were deleted to be recomputed.',
    'Messages in flight while it is recreated are delivered again by the new durable.',
    'examples: replay analytics-orders --from 2026-01-31T12:00:00Z --yes --wait;  replay loyalty-orders --from 1200',
  ],
  async run({ argv, nats, print, note, signal }) {
    const { values, positionals } = parseVerbArgs('replay', argv, replay.options);
    const [durable] = takePositionals('replay', positionals, ['durable']);
    const start = parseReplayStart(stringOption(values, 'from'));
    const timeoutS = intOption('replay', values, 'timeout', 1) ?? 300;
    await loadEvents();
    const topology = events().platformTopology();
    const spec = topology.consumers.find((c) => c.durable === durable);
    if (!spec) throw new UsageError(`replay: unknown durable "${durable}" (durables: ${topology.consumers.map((c) => c.durable).join(', ')})`);
    const { jsm } = await nats();
    const current = await jsm.consumers.info(spec.stream, durable!).catch((error: Error) => {
      throw new OperationError(`replay: cannot read durable ${durable} on ${spec.stream}: ${error.message} (is the topology provisioned? npm run provision)`, { cause: error });
    });
    const stream = await jsm.streams.info(spec.stream);
    if (start.kind === 'seq' && start.seq > stream.state.last_seq + 1) {
      throw new UsageError(`replay: --from ${start.seq} is past the end of ${spec.stream} (last seq ${stream.state.last_seq})`);
    }
    const plan = {
      durable,
      stream: spec.stream,
      filter: current.config.filter_subject,
      from: start.kind === 'time' ? start.time.toISOString() : start.kind === 'seq' ? start.seq : 'earliest',
      streamFirstSeq: stream.state.first_seq,
      streamLastSeq: stream.state.last_seq,
      deliveredSeq: current.delivered.stream_seq,
      ackFloorSeq: current.ack_floor.stream_seq,
    };
    if (!values['yes']) {
      if (values['json']) return print(JSON.stringify({ ...plan, done: false }));
      print(`replay: would recreate ${durable} on ${spec.stream} (filter ${plan.filter}) to deliver again from ${describeStart(start)};`);
      print(`        the stream holds seq ${plan.streamFirstSeq}..${plan.streamLastSeq}, the durable has delivered up to ${plan.deliveredSeq} (ack floor ${plan.ackFloorSeq}).`);
      print('        nothing changed: add --yes to do it');
      return;
    }
    await jsm.consumers.delete(spec.stream, durable!);
    const created = await jsm.consumers.add(spec.stream, replayConfig(current.config, start));
    const result = { ...plan, done: true, pending: created.num_pending };
    if (!values['json']) print(`replay: ${durable} recreated on ${spec.stream} from ${describeStart(start)}: ${created.num_pending} messages to deliver again`);
    if (values['wait']) {
      const caughtUp = await waitUntilCaughtUp(jsm, spec.stream, durable!, timeoutS * 1_000, note, signal);
      if (values['json']) print(JSON.stringify({ ...result, caughtUp }));
      else print(caughtUp ? `replay: ${durable} caught up` : `replay: ${durable} has not caught up after ${timeoutS} s (is the ${spec.service} service running? npm run platform -- consumers)`);
      return caughtUp ? 0 : 1;
    }
    if (values['json']) print(JSON.stringify(result));
  },
};
