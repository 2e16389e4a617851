import { Inject, Injectable } from '@nestjs/common';
import { type AuthorizeRequest, type AuthorizeResult, PaymentGateway, type SettleRequest } from '../../application/ports.js';
import { GatewayCircuit } from './gateway-circuit.js';
import { PAYMENT_GATEWAY } from './payment-gateway.js';

/**
 * The {@link PaymentGateway} the use cases get: the gateway client (`PAYMENT_GATEWAY`) called
 * through the circuit breaker, each call counted by operation and result (a decline counts as
 * `declined`, not as an error).
 */
@Injectable()
export class CircuitPaymentGateway implements PaymentGateway {
  constructor(
    @Inject(PAYMENT_GATEWAY) private readonly client: PaymentGateway,
    private readonly circuit: GatewayCircuit,
  ) {}

  authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    return this.circuit.call(
      'authorize',
      () => this.client.authorize(request),
      (answer: AuthorizeResult) => (answer.approved ? 'ok' : 'declined'),
    );
  }

  capture(request: SettleRequest): Promise<void> {
    return this.circuit.call('capture', () => this.client.capture(request));
  }

  void(request: SettleRequest): Promise<void> {
    return this.circuit.call('void', () => this.client.void(request));
  }

  refund(request: SettleRequest): Promise<void> {
    return this.circuit.call('refund', () => this.client.refund(request));
  }
}
