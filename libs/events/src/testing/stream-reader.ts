import type { JetStreamManager } from '@nats-io/jetstream';

export interface ReadMessage {
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: Record<string, string>;
  /** `data` parsed as JSON (undefined when it is not JSON). */
  readonly json: unknown;
}

/** Every message currently in `stream`, in stream order (for assertions; not for large streams). */
export async function readStream(jsm: JetStreamManager, stream: string): Promise<ReadMessage[]> {
  const info = await jsm.streams.info(stream);
  const result: ReadMessage[] = [];
  if (info.state.messages === 0) return result;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!message) continue;
    const headers: Record<string, string> = {};
    if (message.header) for (const key of message.header.keys()) headers[key] = message.header.get(key);
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(message.data));
    } catch {
      json = undefined;
    }
    result.push({ seq: message.seq, subject: message.subject, data: message.data, headers, json });
  }
  return result;
}

/** Number of messages in `stream`. */
export async function streamCount(jsm: JetStreamManager, stream: string): Promise<number> {
  return (await jsm.streams.info(stream)).state.messages;
}
