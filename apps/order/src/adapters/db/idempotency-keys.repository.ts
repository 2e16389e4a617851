import { Inject, Injectable } from '@nestjs/common';
import type { Database, Transaction } from '@platform/events';
import { DATABASE } from '@platform/service-kit';
import type { ClaimedKey, IdempotencyKeysStore } from '../../application/ports.js';

/** SQL of `idempotency_keys` (the sweeper that forgets them is `idempotency-keys.sweeper.ts`). */
@Injectable()
export class IdempotencyKeysRepository implements IdempotencyKeysStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  /**
   * Claim `key` for the order `orderId` in `tx`; false when the tenant's key is claimed already. A
   * concurrent claim of the same key waits for this transaction, then sees the key claimed.
   */
  async claim(tx: Transaction, tenantId: string, key: string, requestHash: string, orderId: string): Promise<boolean> {
    const claimed = await tx.query(
      'INSERT INTO idempotency_keys (tenant_id, key, request_hash, order_id) VALUES ($1, $2, $3, $4) ON CONFLICT (tenant_id, key) DO NOTHING',
      [tenantId, key, requestHash, orderId],
    );
    return claimed.rowCount !== 0;
  }

  /** The claim of a key that `claim` found taken. */
  async claimed(tx: Transaction, tenantId: string, key: string): Promise<ClaimedKey> {
    const { rows } = await tx.query<{ request_hash: string; order_id: string }>('SELECT request_hash, order_id FROM idempotency_keys WHERE tenant_id = $1 AND key = $2', [tenantId, key]);
    return { requestHash: rows[0]!.request_hash, orderId: rows[0]!.order_id };
  }

  /** Whether `key` already names an order of the tenant (one primary-key read, outside any transaction). */
  async exists(tenantId: string, key: string): Promise<boolean> {
    const { rowCount } = await this.db.query('SELECT 1 FROM idempotency_keys WHERE tenant_id = $1 AND key = $2', [tenantId, key]);
    return rowCount === 1;
  }
}
