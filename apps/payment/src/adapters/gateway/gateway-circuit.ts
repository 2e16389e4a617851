import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { CircuitBreaker, CircuitOpenError, CircuitState, isRetryable } from '@platform/events';
import { ConsumerControl, SERVICE_CONFIG } from '@platform/service-kit';
import { PaymentMetrics } from '../../application/payment.metrics.js';
import type { PaymentServiceConfig } from '../../config.js';

const STATE_VALUE: Record<CircuitState, number> = { closed: 0, open: 1, half_open: 2 };

/**
 * The payment gateway's circuit breaker, wired to the consumer: while the circuit is open the
 * payment consumer is paused (messages wait in the stream instead of burning their retries);
 * after `GATEWAY_OPEN_MS` it resumes, and the next gateway call is the half-open trial.
 */
@Injectable()
export class GatewayCircuit implements OnApplicationShutdown {
  private readonly breaker: CircuitBreaker;
  private readonly logger = new Logger('GatewayCircuit');
  private resumeTimer?: NodeJS.Timeout;

  constructor(
    private readonly consumers: ConsumerControl,
    @Inject(SERVICE_CONFIG) config: PaymentServiceConfig,
    private readonly metrics: PaymentMetrics,
  ) {
    this.breaker = new CircuitBreaker({
      name: 'payment-gateway',
      failureThreshold: config.GATEWAY_FAILURE_THRESHOLD,
      openMs: config.GATEWAY_OPEN_MS,
      onStateChange: (state, previous) => this.onStateChange(state, previous),
    });
    this.metrics.circuitState.set(0);
  }

  get state(): CircuitState {
    return this.breaker.state;
  }

  /** Call the gateway through the breaker, counting the call by operation and result. */
  async call<T>(operation: string, fn: () => Promise<T>, resultOf: (value: T) => string = () => 'ok'): Promise<T> {
    try {
      const value = await this.breaker.execute(fn);
      this.metrics.gatewayRequests.inc({ operation, result: resultOf(value) });
      return value;
    } catch (error) {
      const result = error instanceof CircuitOpenError ? 'rejected' : isRetryable(error) ? 'error' : 'failed';
      this.metrics.gatewayRequests.inc({ operation, result });
      throw error;
    }
  }

  onApplicationShutdown(): void {
    clearTimeout(this.resumeTimer);
  }

  private onStateChange(state: CircuitState, previous: CircuitState): void {
    this.metrics.circuitState.set(STATE_VALUE[state]);
    if (state === CircuitState.Open) {
      this.logger.warn(`payment gateway circuit open (was ${previous}); pausing the payment consumer`);
      this.consumers.pause();
      clearTimeout(this.resumeTimer);
      this.resumeTimer = setTimeout(() => {
        // Reading the state moves an expired open circuit to half-open; the next message is the trial.
        this.logger.log(`payment gateway circuit ${this.breaker.state}; resuming the payment consumer`);
        this.consumers.resume();
      }, this.breaker.remainingOpenMs);
      this.resumeTimer.unref();
    } else if (state === CircuitState.Closed) {
      clearTimeout(this.resumeTimer);
      this.logger.log('payment gateway circuit closed');
      this.consumers.resume();
    }
  }
}
