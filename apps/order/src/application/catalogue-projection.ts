import { Injectable } from '@nestjs/common';
import type { Transaction } from '@platform/events';
import { type CatalogueProduct, CatalogueStore } from './ports.js';

/** The catalogue that prices new orders, fed by `inventory.product-updated` (event-carried state transfer). */
@Injectable()
export class CatalogueProjection {
  constructor(private readonly catalogue: CatalogueStore) {}

  /** Take the product's state as the event carries it, inside the handler's transaction. */
  productUpdated(tx: Transaction, tenantId: string, product: CatalogueProduct): Promise<void> {
    return this.catalogue.upsert(tx, tenantId, product);
  }
}
