import { Inject, Injectable } from '@nestjs/common';
import { METRICS_REGISTRY } from '@platform/service-kit';
import { Counter, Gauge, type Registry } from 'prom-client';

/** Business and gateway metrics of the payment service (docs/metrics.md). */
@Injectable()
export class PaymentMetrics {
  /** Payments by outcome: `authorized`, `declined`, `captured`, `voided`, `refunded`. */
  readonly payments: Counter<'outcome'>;
  /** Gateway calls by operation and result: `ok`, `declined`, `error`, `rejected` (circuit open). */
  readonly gatewayRequests: Counter<'operation' | 'result'>;
  /** 0 closed, 1 open, 2 half-open. */
  readonly circuitState: Gauge;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.payments =
      (registry.getSingleMetric('payments_total') as Counter<'outcome'> | undefined) ??
      new Counter({ name: 'payments_total', help: 'Payments by outcome (authorized, declined, captured, voided, refunded)', labelNames: ['outcome'], registers: [registry] });
    this.gatewayRequests =
      (registry.getSingleMetric('payment_gateway_requests_total') as Counter<'operation' | 'result'> | undefined) ??
      new Counter({
        name: 'payment_gateway_requests_total',
        help: 'Payment gateway calls by operation (authorize, capture, void, refund) and result (ok, declined, error, rejected)',
        labelNames: ['operation', 'result'],
        registers: [registry],
      });
    this.circuitState =
      (registry.getSingleMetric('payment_gateway_circuit_state') as Gauge | undefined) ??
      new Gauge({ name: 'payment_gateway_circuit_state', help: 'Payment gateway circuit breaker: 0 closed, 1 open, 2 half-open', registers: [registry] });
  }
}
