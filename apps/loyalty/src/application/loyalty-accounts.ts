import { Injectable } from '@nestjs/common';
import { type AwardRow, LoyaltyStore } from './ports.js';

/** A customer's balance and newest awards. */
export interface LoyaltyAccount {
  readonly points: number;
  readonly history: readonly AwardRow[];
}

/** Reads of the loyalty accounts (outside any transaction: each read is one statement). */
@Injectable()
export class LoyaltyAccounts {
  constructor(private readonly store: LoyaltyStore) {}

  /** The account of `customerId`: 0 points and no history when loyalty never awarded it anything. */
  async read(tenantId: string, customerId: string): Promise<LoyaltyAccount> {
    const [points, history] = await Promise.all([this.store.balance(tenantId, customerId), this.store.history(tenantId, customerId)]);
    return { points, history };
  }
}
