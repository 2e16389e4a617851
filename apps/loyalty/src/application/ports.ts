import type { Queryable } from '@platform/events';

/** One order's award, as the use case records it. */
export interface NewAward {
  readonly tenantId: string;
  readonly customerId: string;
  readonly orderId: string;
  readonly points: number;
  readonly totalCents: number;
  readonly currency: string;
  readonly eventId: string;
}

export interface AwardRow {
  readonly orderId: string;
  readonly points: number;
  readonly awardedAt: Date;
}

/** Newest awards returned by `history`; older ones still count in the balance. */
export const HISTORY_LIMIT = 100;

/**
 * The loyalty accounts and their awards (adapters/db/loyalty.repository.ts). Writes take the
 * handler's transaction; reads are one statement each.
 */
export abstract class LoyaltyStore {
  /** Record the award and add its points: the new balance, or `null` when the order already has one. */
  abstract award(tx: Queryable, award: NewAward): Promise<number | null>;
  /** The customer's balance (0 without an account). */
  abstract balance(tenantId: string, customerId: string): Promise<number>;
  /** The customer's awards, newest first, at most {@link HISTORY_LIMIT}. */
  abstract history(tenantId: string, customerId: string): Promise<AwardRow[]>;
}
