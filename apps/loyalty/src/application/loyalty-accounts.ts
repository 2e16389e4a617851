import { Injectable } from '@nestjs/common';
import { type AwardRow, LoyaltyRepository } from '../adapters/db/loyalty.repository.js';

/** A customer's balance and newest awards. */
export interface LoyaltyAccount {
  readonly points: number;
  readonly history: readonly AwardRow[];
}

/** Reads of the loyalty accounts (outside any transaction: each read is one statement). */
@Injectable()
export class LoyaltyAccounts {
  constructor(private readonly repository: LoyaltyRepository) {}

  /** The account of `customerId`: 0 points and no history when loyalty never awarded it anything. */
  async read(tenantId: string, customerId: string): Promise<LoyaltyAccount> {
    const [points, history] = await Promise.all([this.repository.balance(tenantId, customerId), this.repository.history(tenantId, customerId)]);
    return { points, history };
  }
}
