import type { PGlite } from '@electric-sql/pglite';
import { quoteIdentifier } from './sql-identifier.js';

interface ChannelState {
  readonly handlers: Set<(payload: string) => void>;
  /** Settles once LISTEN for the channel has run. */
  readonly listening: Promise<void>;
}

/**
 * LISTEN bookkeeping for PGlite. Its own `listen()` cannot be used: it sends the channel
 * unquoted (folding case, refusing punctuation), and its unlisten normalises a quoted name a
 * second time, so the handler is never removed. Here channels keep their exact name, as with `pg`.
 */
export class PgliteListenChannels {
  private readonly channels = new Map<string, ChannelState>();
  private stopDispatch?: () => void;

  constructor(private readonly pg: PGlite) {}

  async add(channel: string, handler: (payload: string) => void): Promise<() => Promise<void>> {
    this.stopDispatch ??= this.pg.onNotification((name, payload) => {
      for (const listener of this.channels.get(name)?.handlers ?? []) listener(payload);
    });
    let state = this.channels.get(channel);
    if (!state) {
      state = { handlers: new Set(), listening: this.pg.exec(`LISTEN ${quoteIdentifier(channel)}`).then(() => undefined) };
      this.channels.set(channel, state);
    }
    const current = state;
    current.handlers.add(handler);
    try {
      await current.listening;
    } catch (error) {
      this.remove(channel, current, handler);
      throw error;
    }
    return async () => {
      if (this.remove(channel, current, handler) && !this.pg.closed) {
        await this.pg.exec(`UNLISTEN ${quoteIdentifier(channel)}`);
      }
    };
  }

  /** Forget `handler`; true when it was the channel's last one. */
  private remove(channel: string, state: ChannelState, handler: (payload: string) => void): boolean {
    state.handlers.delete(handler);
    if (state.handlers.size > 0 || this.channels.get(channel) !== state) return false;
    this.channels.delete(channel);
    return true;
  }
}
