import { Inject, Injectable } from '@nestjs/common';
import { counterIn, METRICS_REGISTRY } from '@platform/service-kit';
import type { Counter, Registry } from 'prom-client';

/** Business metrics of the inventory service (docs/metrics.md). */
@Injectable()
export class InventoryMetrics {
  /** Reservation attempts by result: `reserved`, `out_of_stock`, `unknown_sku`. */
  readonly reservations: Counter<'result'>;
  /** Stock movements in units: `reserved`, `committed`, `released`. */
  readonly units: Counter<'movement'>;
  readonly stockLow: Counter;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.reservations = counterIn(registry, { name: 'inventory_reservations_total', help: 'Order reservations by result (reserved, out_of_stock, unknown_sku)', labelNames: ['result'] });
    this.units = counterIn(registry, { name: 'inventory_units_total', help: 'Units moved by reservations, commits and releases', labelNames: ['movement'] });
    this.stockLow = counterIn(registry, { name: 'inventory_stock_low_total', help: 'inventory.stock-low alerts raised (a product crossed its threshold)' });
  }
}
