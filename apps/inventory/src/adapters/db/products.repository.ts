import { Inject, Injectable } from '@nestjs/common';
import type { Database, Transaction } from '@platform/events';
import { DATABASE } from '@platform/service-kit';
import type { Product, ProductFields } from '../../domain/product.js';
import type { CatalogueSettings, ProductsStore } from '../../application/ports.js';

interface ProductRow {
  sku: string;
  name: string;
  price_cents: string | number;
  currency: string;
  available: number;
  reserved: number;
  low_stock_threshold: number;
}

const PRODUCT_COLUMNS = 'sku, name, price_cents, currency, available, reserved, low_stock_threshold';

/** The `products` table, as the catalogue reads and writes it (reservations move its stock: ReservationsRepository). */
@Injectable()
export class ProductsRepository implements ProductsStore {
  constructor(@Inject(DATABASE) private readonly db: Database) {}

  async list(tenantId: string): Promise<Product[]> {
    const { rows } = await this.db.query<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE tenant_id = $1 ORDER BY sku`, [tenantId]);
    return rows.map(toProduct);
  }

  async get(tenantId: string, sku: string): Promise<Product | undefined> {
    const { rows } = await this.db.query<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE tenant_id = $1 AND sku = $2`, [tenantId, sku]);
    return rows[0] && toProduct(rows[0]);
  }

  /** The product, locked until `tx` ends: concurrent writes of one SKU serialise here. */
  async findForUpdate(tx: Transaction, tenantId: string, sku: string): Promise<Product | undefined> {
    const { rows } = await tx.query<ProductRow>(`SELECT ${PRODUCT_COLUMNS} FROM products WHERE tenant_id = $1 AND sku = $2 FOR UPDATE`, [tenantId, sku]);
    return rows[0] && toProduct(rows[0]);
  }

  /** Insert or overwrite the product's fields (its `reserved` units are kept); returns it as stored. */
  async upsert(tx: Transaction, tenantId: string, sku: string, fields: ProductFields, settings: CatalogueSettings): Promise<Product> {
    const { rows } = await tx.query<ProductRow>(
      `INSERT INTO products (tenant_id, sku, name, price_cents, currency, available, low_stock_threshold)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_id, sku) DO UPDATE SET name = EXCLUDED.name, price_cents = EXCLUDED.price_cents,
         available = EXCLUDED.available, updated_at = now()
       RETURNING ${PRODUCT_COLUMNS}`,
      [tenantId, sku, fields.name, fields.priceCents, settings.currency, fields.available, settings.lowStockThreshold],
    );
    return toProduct(rows[0]!);
  }

  /** Insert the product unless the SKU exists; returns it when this call inserted it. */
  async insertIfAbsent(tx: Transaction, tenantId: string, sku: string, fields: ProductFields, settings: CatalogueSettings): Promise<Product | undefined> {
    const { rows } = await tx.query<ProductRow>(
      `INSERT INTO products (tenant_id, sku, name, price_cents, currency, available, low_stock_threshold)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, sku) DO NOTHING RETURNING ${PRODUCT_COLUMNS}`,
      [tenantId, sku, fields.name, fields.priceCents, settings.currency, fields.available, settings.lowStockThreshold],
    );
    return rows[0] && toProduct(rows[0]);
  }
}

function toProduct(row: ProductRow): Product {
  return { sku: row.sku, name: row.name, priceCents: Number(row.price_cents), currency: row.currency, available: row.available, reserved: row.reserved };
}
