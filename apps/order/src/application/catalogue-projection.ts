import { Injectable } from '@nestjs/common';
import type { Transaction } from '@platform/events';
import { type CatalogueProduct, CatalogueRepository } from '../adapters/db/catalogue.repository.js';

/** The catalogue that prices new orders, fed by `inventory.product-updated` (event-carried state transfer). */
@Injectable()
export class CatalogueProjection {
  constructor(private readonly catalogue: CatalogueRepository) {}

  /** Take the product's state as the event carries it, inside the handler's transaction. */
  productUpdated(tx: Transaction, tenantId: string, product: CatalogueProduct): Promise<void> {
    return this.catalogue.upsert(tx, tenantId, product);
  }
}
