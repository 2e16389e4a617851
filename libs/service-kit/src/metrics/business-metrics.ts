import { Counter, Gauge, Histogram, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration, type Registry } from 'prom-client';

/**
 * A service's own metrics are registered once per registry (one per app instance): these return
 * the instrument already registered under `config.name`, or register it. Business code increments
 * them after its transaction commits (`tx.afterCommit`), so a rolled-back attempt never counts.
 */
export function counterIn<T extends string = string>(registry: Registry, config: Omit<CounterConfiguration<T>, 'registers'>): Counter<T> {
  return (registry.getSingleMetric(config.name) as Counter<T> | undefined) ?? new Counter<T>({ ...config, registers: [registry] });
}

/** See {@link counterIn}. */
export function gaugeIn<T extends string = string>(registry: Registry, config: Omit<GaugeConfiguration<T>, 'registers'>): Gauge<T> {
  return (registry.getSingleMetric(config.name) as Gauge<T> | undefined) ?? new Gauge<T>({ ...config, registers: [registry] });
}

/** See {@link counterIn}. */
export function histogramIn<T extends string = string>(registry: Registry, config: Omit<HistogramConfiguration<T>, 'registers'>): Histogram<T> {
  return (registry.getSingleMetric(config.name) as Histogram<T> | undefined) ?? new Histogram<T>({ ...config, registers: [registry] });
}
