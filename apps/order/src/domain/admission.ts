/** Why admission control refused a `POST /orders` (the `reason` label of `orders_shed_total`). */
export const ShedReason = { Pending: 'pending', InFlight: 'in_flight' } as const;
export type ShedReason = (typeof ShedReason)[keyof typeof ShedReason];

/** The two bounds of admission control; 0 disables one. */
export interface AdmissionBounds {
  /** Orders in flight end to end (`ORDER_ADMISSION_MAX_PENDING`). */
  readonly maxPending: number;
  /** Concurrent requests in this process (`ORDER_ADMISSION_MAX_IN_FLIGHT`). */
  readonly maxInFlight: number;
}

/** An admitted request: release it once answered, saying whether it stored a new order. */
export interface AdmissionTicket {
  release(created: boolean): void;
}

/**
 * The arithmetic of admission control. Orders in flight end to end = the PENDING orders at the
 * last count, plus the orders this process accepted since that count started, plus the requests
 * being handled now (each may become one). Every method is synchronous, so concurrent requests
 * never admit past a bound together.
 */
export class AdmissionCount {
  private inFlight = 0;
  /** PENDING orders at the last count. */
  private counted = 0;
  /** Orders this process created (committed), ever, and at the start of the last count. */
  private accepted = 0;
  private acceptedAtCount = 0;

  constructor(private readonly bounds: AdmissionBounds) {}

  /** Orders in flight end to end as the pending bound sees them. */
  pending(): number {
    return this.counted + (this.accepted - this.acceptedAtCount) + this.inFlight;
  }

  /** Requests being handled now. */
  requestsInFlight(): number {
    return this.inFlight;
  }

  /** Admit a new request, or say which bound it would pass. */
  tryAdmit(): AdmissionTicket | ShedReason {
    const { maxPending, maxInFlight } = this.bounds;
    if (maxPending > 0 && this.pending() >= maxPending) return ShedReason.Pending;
    if (maxInFlight > 0 && this.inFlight >= maxInFlight) return ShedReason.InFlight;
    return this.admit();
  }

  /** Admit whatever the bounds say (the replay of an order that already exists adds no work). */
  admit(): AdmissionTicket {
    this.inFlight++;
    let released = false;
    return {
      release: (created) => {
        if (released) return;
        released = true;
        this.inFlight--;
        if (created) this.accepted++;
      },
    };
  }

  /**
   * Start counting the PENDING orders; call the result with the count. Orders accepted after the
   * start and before the count's snapshot are counted twice (in the count and as accepted since):
   * an overestimate by a few orders, never an underestimate.
   */
  startCount(): (counted: number) => void {
    const acceptedBefore = this.accepted;
    return (counted) => {
      this.counted = counted;
      this.acceptedAtCount = acceptedBefore;
    };
  }
}
