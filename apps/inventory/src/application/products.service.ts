import { Inject, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { inventoryProductUpdatedV1, type InventoryProductUpdatedV1 } from '@platform/contracts';
import type { Database, EmitEvent } from '@platform/events';
import { DATABASE, EventOutbox, SERVICE_CONFIG, type RequestEventContext } from '@platform/service-kit';
import type { InventoryServiceConfig } from '../config.js';
import { applyProductChanges, type Product, type ProductChanges } from '../domain/product.js';
import { DEMO_CATALOGUE, DEMO_TENANT } from './demo-catalogue.js';
import { type CatalogueSettings, ProductsStore } from './ports.js';

/** The catalogue: products, prices and stock levels, and their `inventory.product-updated` events. */
@Injectable()
export class ProductsService {
  private readonly settings: CatalogueSettings;

  constructor(
    @Inject(DATABASE) private readonly db: Database,
    private readonly products: ProductsStore,
    private readonly outbox: EventOutbox,
    @Inject(SERVICE_CONFIG) config: InventoryServiceConfig,
  ) {
    this.settings = { currency: config.CATALOGUE_CURRENCY, lowStockThreshold: config.STOCK_LOW_THRESHOLD };
  }

  list(tenantId: string): Promise<Product[]> {
    return this.products.list(tenantId);
  }

  async get(tenantId: string, sku: string): Promise<Product> {
    const product = await this.products.get(tenantId, sku);
    if (!product) throw new NotFoundException(`product ${sku} not found`);
    return product;
  }

  /**
   * Create or change a product and publish its new state (event-carried state transfer: the order
   * service prices orders from these events). A new SKU needs `name` and `priceCents`.
   */
  async put(tenantId: string, sku: string, changes: ProductChanges, context: RequestEventContext): Promise<{ product: Product; created: boolean }> {
    return this.db.transaction(async (tx) => {
      const write = applyProductChanges(sku, await this.products.findForUpdate(tx, tenantId, sku), changes);
      if (write.kind === 'refused') throw new UnprocessableEntityException(write.reason);
      const product = await this.products.upsert(tx, tenantId, sku, write.fields, this.settings);
      await publishProduct(this.outbox.emitter(tx, { tenantId, ...context }), product);
      return { product, created: write.created };
    });
  }

  /**
   * Seed the demo tenant's catalogue when it has none. Safe with several replicas starting at once:
   * only rows actually inserted publish an event.
   */
  async seedDemoCatalogue(): Promise<number> {
    return this.db.transaction(async (tx) => {
      const emit = this.outbox.emitter(tx, { tenantId: DEMO_TENANT });
      let inserted = 0;
      for (const { sku, ...fields } of DEMO_CATALOGUE) {
        const product = await this.products.insertIfAbsent(tx, DEMO_TENANT, sku, fields, this.settings);
        if (!product) continue;
        inserted++;
        await publishProduct(emit, product);
      }
      return inserted;
    });
  }
}

function publishProduct(emit: EmitEvent, product: Product): Promise<unknown> {
  const data: InventoryProductUpdatedV1 = { sku: product.sku, name: product.name, priceCents: product.priceCents, currency: product.currency, available: product.available };
  return emit({ type: inventoryProductUpdatedV1.type, aggregateId: product.sku, data });
}
