import { Inject, Injectable } from '@nestjs/common';
import { counterIn, gaugeIn, METRICS_REGISTRY } from '@platform/service-kit';
import type { Counter, Gauge, Registry } from 'prom-client';

/** Business and gateway metrics of the payment service (docs/metrics.md). */
@Injectable()
export class PaymentMetrics {
  /** Payments by outcome: `authorized`, `declined`, `captured`, `voided`, `refunded`. */
  readonly payments: Counter<'outcome'>;
  /** Gateway calls by operation and result: `ok`, `declined`, `error`, `rejected` (circuit open), `failed`. */
  readonly gatewayRequests: Counter<'operation' | 'result'>;
  /** 0 closed, 1 open, 2 half-open. */
  readonly circuitState: Gauge;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    this.payments = counterIn(registry, { name: 'payments_total', help: 'Payments by outcome (authorized, declined, captured, voided, refunded)', labelNames: ['outcome'] });
    this.gatewayRequests = counterIn(registry, {
      name: 'payment_gateway_requests_total',
      help: 'Payment gateway calls by operation (authorize, capture, void, refund) and result (ok, declined, error, rejected, failed)',
      labelNames: ['operation', 'result'],
    });
    this.circuitState = gaugeIn(registry, { name: 'payment_gateway_circuit_state', help: 'Payment gateway circuit breaker: 0 closed, 1 open, 2 half-open' });
  }
}
