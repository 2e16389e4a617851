import { Inject, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { inventoryProductUpdatedV1, type InventoryProductUpdatedV1 } from '@platform/contracts';
import { type Database, type EventsRuntime, type Transaction } from '@platform/events';
import { DATABASE, EVENTS_RUNTIME, SERVICE_CONFIG, type RequestEventContext } from '@platform/service-kit';
import type { InventoryServiceConfig } from '../config.js';
import { DEMO_CATALOGUE, DEMO_TENANT } from './demo-catalogue.js';
import { PRODUCT_COLUMNS, toProductView, type ProductRow, type ProductView } from './product.js';

export interface ProductChanges {
  readonly name?: string;
  readonly priceCents?: number;
  readonly available?: number;
}

/** The catalogue: products, prices and stock levels, and their `inventory.product-updated` events. */
@Injectable()
export class ProductsService {
  constructor(
    @Inject(DATABASE) private readonly db: Database,
    @Inject(EVENTS_RUNTIME) private readonly runtime: EventsRuntime,
    @Inject(SERVICE_CONFIG) private readonly config: InventoryServiceConfig,
  ) {}

  async list(tenantId: string): Promise<ProductView[]> {
    const { rows } = await this.db.query<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE tenant_id = $1 ORDER BY sku`, [tenantId]);
    return rows.map(toProductView);
  }

  async get(tenantId: string, sku: string): Promise<ProductView> {
    const { rows } = await this.db.query<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE tenant_id = $1 AND sku = $2`, [tenantId, sku]);
    if (!rows[0]) throw new NotFoundException(`product ${sku} not found`);
    return toProductView(rows[0]);
  }

  /**
   * Create or change a product and publish its new state (event-carried state transfer: the order
   * service prices orders from these events). A new SKU needs `name` and `priceCents`.
   */
  async put(tenantId: string, sku: string, changes: ProductChanges, context: RequestEventContext): Promise<{ product: ProductView; created: boolean }> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE tenant_id = $1 AND sku = $2 FOR UPDATE`, [tenantId, sku]);
      const current = rows[0];
      if (!current && (changes.name === undefined || changes.priceCents === undefined)) {
        throw new UnprocessableEntityException(`product ${sku} does not exist; creating it needs name and priceCents`);
      }
      const next = {
        name: changes.name ?? current!.name,
        priceCents: changes.priceCents ?? Number(current!.price_cents),
        available: changes.available ?? current?.available ?? 0,
      };
      const saved = await tx.query<ProductRow>(
        `INSERT INTO products (tenant_id, sku, name, price_cents, currency, available, low_stock_threshold)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id, sku) DO UPDATE SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents,
           available = EXCLUDED.available, updated_at = now()
         RETURNING ${PRODUCT_COLUMNS}`,
        [tenantId, sku, next.name, next.priceCents, this.config.CATALOGUE_CURRENCY, next.available, this.config.STOCK_LOW_THRESHOLD],
      );
      const product = toProductView(saved.rows[0]!);
      await this.publishProduct(tx, tenantId, product, context);
      return { product, created: !current };
    });
  }

  /**
   * Seed the demo tenant's catalogue when it has none. Safe with several replicas starting at once:
   * only rows actually inserted publish an event.
   */
  async seedDemoCatalogue(): Promise<number> {
    return this.db.transaction(async (tx) => {
      let inserted = 0;
      for (const seed of DEMO_CATALOGUE) {
        const { rows } = await tx.query<ProductRow>(
          `INSERT INTO products (tenant_id, sku, name, price_cents, currency, available, low_stock_threshold)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, sku) DO NOTHING RETURNING ${PRODUCT_COLUMNS}`,
          [DEMO_TENANT, seed.sku, seed.name, seed.priceCents, this.config.CATALOGUE_CURRENCY, seed.available, this.config.STOCK_LOW_THRESHOLD],
        );
        if (!rows[0]) continue;
        inserted++;
        await this.publishProduct(tx, DEMO_TENANT, toProductView(rows[0]), {});
      }
      return inserted;
    });
  }

  private async publishProduct(tx: Transaction, tenantId: string, product: ProductView, context: Partial<RequestEventContext>): Promise<void> {
    const data: InventoryProductUpdatedV1 = { sku: product.sku, name: product.name, priceCents: product.priceCents, currency: product.currency, available: product.available };
    await this.runtime.outbox.append(tx, { type: inventoryProductUpdatedV1.type, tenantId, aggregateId: product.sku, data, ...context });
  }
}
