import { describe, expect, it } from 'vitest';
import { PublicationOrder } from './outbox.order.js';

/** A drain that reads to the end and publishes all it read, with `during` happening while it runs. */
const drain = (order: PublicationOrder, during: () => void = () => undefined) => {
  const started = order.drainStarted();
  during();
  order.drainCompleted(started);
};

describe('PublicationOrder', () => {
  it('admits no commit to the fast path until a drain has completed', () => {
    const order = new PublicationOrder();
    expect(order.admitCommit()).toBe(false);
    drain(order);
    expect(order.admitCommit()).toBe(true);
    expect(order.admitCommit()).toBe(true);
  });

  it('admits no commit after a doubt until a drain has completed again', () => {
    const order = new PublicationOrder();
    drain(order);
    order.doubt();
    expect(order.admitCommit()).toBe(false);
    drain(order);
    expect(order.admitCommit()).toBe(true);
  });

  it('does not count a drain during which a commit was handed back: it may have come after the last read', () => {
    const order = new PublicationOrder();
    drain(order, () => expect(order.admitCommit()).toBe(false));
    expect(order.admitCommit()).toBe(false);
    drain(order);
    expect(order.admitCommit()).toBe(true);
  });

  it('does not count a drain during which a doubt came: it may be about a row that drain skipped', () => {
    const order = new PublicationOrder();
    drain(order);
    drain(order, () => order.doubt());
    expect(order.admitCommit()).toBe(false);
    drain(order);
    expect(order.admitCommit()).toBe(true);
  });

  it('counts a drain that began after a hand-back, though one running then does not count', () => {
    const order = new PublicationOrder();
    const first = order.drainStarted();
    expect(order.admitCommit()).toBe(false); // handed back while the first drain ran
    const second = order.drainStarted();
    order.drainCompleted(first);
    order.drainCompleted(second); // nothing came while the second ran
    expect(order.admitCommit()).toBe(true);
  });

  it('a drain that did not complete admits nothing', () => {
    const order = new PublicationOrder();
    order.drainStarted(); // and then failed: the drain doubts instead of completing
    order.doubt();
    expect(order.admitCommit()).toBe(false);
  });
});
