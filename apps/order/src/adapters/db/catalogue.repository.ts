import { Injectable } from '@nestjs/common';
import type { Transaction } from '@platform/events';
import type { CataloguePrice } from '../../domain/pricing.js';
import type { CatalogueProduct, CatalogueStore } from '../../application/ports.js';

/** SQL of `catalogue`, the projection of inventory's products that prices new orders. */
@Injectable()
export class CatalogueRepository implements CatalogueStore {
  /** The prices of the SKUs the tenant's catalogue knows (an unknown SKU is absent from the map). */
  async prices(tx: Transaction, tenantId: string, skus: readonly string[]): Promise<Map<string, CataloguePrice>> {
    const { rows } = await tx.query<{ sku: string; price_cents: string | number; currency: string }>(
      'SELECT sku, price_cents, currency FROM catalogue WHERE tenant_id = $1 AND sku = ANY($2::text[])',
      [tenantId, [...new Set(skus)]],
    );
    return new Map(rows.map((row) => [row.sku, { priceCents: Number(row.price_cents), currency: row.currency }]));
  }

  /** Insert or replace the product: each event carries its whole state. */
  async upsert(tx: Transaction, tenantId: string, product: CatalogueProduct): Promise<void> {
    await tx.query(
      `INSERT INTO catalogue (tenant_id, sku, name, price_cents, currency) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (tenant_id, sku) DO UPDATE SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents, currency = EXCLUDED.currency, updated_at = now()`,
      [tenantId, product.sku, product.name, product.priceCents, product.currency],
    );
  }
}
