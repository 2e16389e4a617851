import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Publisher } from '../publisher/publisher.js';

export interface PublisherUnderTest {
  readonly publisher: Publisher;
  /** A subject the publisher's stream captures. */
  subject(token: string): string;
  /** Everything stored so far, in stream order. */
  read(): Promise<Array<{ seq: number; subject: string; payload: string; headers: Record<string, string> }>>;
  cleanup(): Promise<void>;
}

const encode = (s: string) => new TextEncoder().encode(s);

/**
 * The guarantees of the Publisher interface, run against every implementation (the in-memory
 * fake and JetStream), so that unit tests written against the fake hold against the broker.
 */
export function describePublisherConformance(name: string, factory: () => Promise<PublisherUnderTest>): void {
  describe(`Publisher conformance: ${name}`, () => {
    let sut: PublisherUnderTest;
    beforeEach(async () => {
      sut = await factory();
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    it('stores a message with its subject, payload and headers and acknowledges its sequence', async () => {
      const ack = await sut.publisher.publish(sut.subject('a'), encode('hello'), { msgId: 'm-1', headers: { traceparent: 'tp-1' } });
      expect(ack.duplicate).toBe(false);
      const stored = await sut.read();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({ seq: ack.seq, subject: sut.subject('a'), payload: 'hello' });
      expect(stored[0]!.headers['traceparent']).toBe('tp-1');
    });

    it('de-duplicates by message id', async () => {
      const first = await sut.publisher.publish(sut.subject('a'), encode('one'), { msgId: 'same' });
      const second = await sut.publisher.publish(sut.subject('a'), encode('two'), { msgId: 'same' });
      expect(second.duplicate).toBe(true);
      expect(second.seq).toBe(first.seq);
      expect((await sut.read()).map((m) => m.payload)).toEqual(['one']);
    });

    it('stores pipelined publishes in issue order', async () => {
      const payloads = Array.from({ length: 200 }, (_, i) => `p-${i}`);
      const acks = await Promise.all(payloads.map((p, i) => sut.publisher.publish(sut.subject(`k${i % 7}`), encode(p), { msgId: `id-${i}` })));
      const stored = await sut.read();
      expect(stored.map((m) => m.payload)).toEqual(payloads);
      expect(acks.map((a) => a.seq)).toEqual(stored.map((m) => m.seq));
    });
  });
}
