import pg from 'pg';
import { quoteIdentifier } from './sql-identifier.js';

const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 10_000;

interface ChannelState {
  readonly handlers: Set<(payload: string) => void>;
  /** Settles once LISTEN for the channel has run on the current connection. */
  listening: Promise<void>;
}

/**
 * One dedicated connection carrying every LISTEN of a database. When it drops, it is re-opened
 * with a doubling delay (200 ms up to 10 s) and every channel is listened to again; notifications
 * sent while it was down are lost, so callers keep a fallback poll.
 */
export class PgListenConnection {
  private client?: pg.Client;
  private connecting?: Promise<pg.Client>;
  private readonly channels = new Map<string, ChannelState>();
  private closed = false;
  private retryTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly onError?: (error: Error) => void,
  ) {}

  async add(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>> {
    if (this.closed) throw new Error('cannot LISTEN: the database is closed');
    let state = this.channels.get(channel);
    if (!state) {
      const created: ChannelState = { handlers: new Set(), listening: Promise.resolve() };
      created.listening = this.connect().then((client) => this.listenOn(client, channel));
      this.channels.set(channel, created);
      state = created;
    }
    state.handlers.add(handler);
    try {
      await state.listening;
    } catch (error) {
      this.remove(channel, state, handler);
      throw error;
    }
    return async () => {
      const emptied = this.remove(channel, state, handler);
      if (emptied && this.client) await this.client.query(`UNLISTEN ${quoteIdentifier(channel)}`).catch(() => undefined);
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Forget `handler`; true when it was the channel's last one. */
  private remove(channel: string, state: ChannelState, handler: (payload: string) => void): boolean {
    state.handlers.delete(handler);
    if (state.handlers.size > 0 || this.channels.get(channel) !== state) return false;
    this.channels.delete(channel);
    return true;
  }

  private async listenOn(client: pg.Client, channel: string): Promise<void> {
    await client.query(`LISTEN ${quoteIdentifier(channel)}`);
  }

  private connect(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client(this.config);
    client.on('notification', (message) => {
      for (const handler of this.channels.get(message.channel)?.handlers ?? []) handler(message.payload ?? '');
    });
    client.on('error', (error) => {
      this.onError?.(error);
      this.reconnectSoon(client);
    });
    client.on('end', () => this.reconnectSoon(client));
    await client.connect();
    try {
      for (const channel of this.channels.keys()) await this.listenOn(client, channel);
      if (this.closed) throw new Error('cannot LISTEN: the database is closed');
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.client = client;
    return client;
  }

  private reconnectSoon(dead: pg.Client): void {
    if (this.client !== dead || this.closed) return;
    this.client = undefined;
    const attempt = (delayMs: number): void => {
      this.retryTimer = setTimeout(() => {
        if (this.closed) return;
        this.connect().catch((error: Error) => {
          this.onError?.(error);
          attempt(Math.min(delayMs * 2, MAX_RETRY_MS));
        });
      }, delayMs);
      this.retryTimer.unref();
    };
    attempt(FIRST_RETRY_MS);
  }
}
