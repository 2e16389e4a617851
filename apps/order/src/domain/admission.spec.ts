import { describe, expect, it } from 'vitest';
import { AdmissionCount, type AdmissionTicket, ShedReason } from './admission.js';

const admitted = (result: AdmissionTicket | ShedReason): AdmissionTicket => {
  if (typeof result === 'string') throw new Error(`shed: ${result}`);
  return result;
};

describe('AdmissionCount', () => {
  it('counts the last count, the orders accepted since and the requests in flight as pending', () => {
    const count = new AdmissionCount({ maxPending: 0, maxInFlight: 0 });
    count.startCount()(5);
    const first = admitted(count.tryAdmit());
    const second = admitted(count.tryAdmit());
    expect(count.pending()).toBe(7);
    first.release(true); // stored an order: still pending, now as accepted
    second.release(false); // refused (4xx): gone
    expect(count.pending()).toBe(6);
    expect(count.requestsInFlight()).toBe(0);
  });

  it('sheds at the pending bound, then admits again once a count sees fewer', () => {
    const count = new AdmissionCount({ maxPending: 2, maxInFlight: 0 });
    admitted(count.tryAdmit()).release(true);
    admitted(count.tryAdmit()).release(true);
    expect(count.tryAdmit()).toBe(ShedReason.Pending);
    const finish = count.startCount();
    finish(1); // one of the two completed; both were accepted before the count started
    expect(count.pending()).toBe(1);
    expect(typeof count.tryAdmit()).toBe('object');
  });

  it('counts an order accepted while a count runs twice rather than not at all', () => {
    const count = new AdmissionCount({ maxPending: 10, maxInFlight: 0 });
    const finish = count.startCount();
    admitted(count.tryAdmit()).release(true); // committed before the count's snapshot: in the count too
    finish(1);
    expect(count.pending()).toBe(2);
  });

  it('sheds at the in-flight bound until a request is released', () => {
    const count = new AdmissionCount({ maxPending: 0, maxInFlight: 2 });
    const first = admitted(count.tryAdmit());
    admitted(count.tryAdmit());
    expect(count.tryAdmit()).toBe(ShedReason.InFlight);
    first.release(false);
    expect(typeof count.tryAdmit()).toBe('object');
  });

  it('names the pending bound first when both are reached', () => {
    const count = new AdmissionCount({ maxPending: 1, maxInFlight: 1 });
    admitted(count.tryAdmit());
    expect(count.tryAdmit()).toBe(ShedReason.Pending);
  });

  it('admits a replay past the bounds, and it counts while in flight', () => {
    const count = new AdmissionCount({ maxPending: 1, maxInFlight: 1 });
    admitted(count.tryAdmit());
    const replay = count.admit();
    expect(count.requestsInFlight()).toBe(2);
    replay.release(false);
    expect(count.requestsInFlight()).toBe(1);
  });

  it('releases a ticket once, however often it is released', () => {
    const count = new AdmissionCount({ maxPending: 0, maxInFlight: 0 });
    const ticket = count.admit();
    ticket.release(true);
    ticket.release(true);
    expect(count.requestsInFlight()).toBe(0);
    expect(count.pending()).toBe(1);
  });
});
