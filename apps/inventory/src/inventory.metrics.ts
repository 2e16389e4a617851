import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@platform/service-kit';
import { Counter, type Registry } from 'prom-client';

/** Business metrics of the inventory service (docs/metrics.md). */
@Injectable()
export class InventoryMetrics {
  /** Reservation attempts by result: `reserved`, `out_of_stock`, `unknown_sku`. */
  readonly reservations: Counter<'result'>;
  /** Stock movements in units: `reserved`, `committed`, `released`. */
  readonly units: Counter<'movement'>;
  readonly stockLow: Counter;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.reservations = counter(registry, 'inventory_reservations_total', 'Order reservations by result (reserved, out_of_stock, unknown_sku)', ['result']);
    this.units = counter(registry, 'inventory_units_total', 'Units moved by reservations, commits and releases', ['movement']);
    this.stockLow = counter(registry, 'inventory_stock_low_total', 'inventory.stock-low alerts raised (a product crossed its threshold)', []);
  }
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  return (registry.getSingleMetric(name) as Counter<L> | undefined) ?? new Counter({ name, help, labelNames, registers: [registry] });
}
