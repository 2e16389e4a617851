import { PaymentDeclineReason } from '@platform/contracts';
import { RetryableError } from '@platform/events';
import type { AuthorizeRequest, AuthorizeResult, PaymentGateway } from '../../application/ports.js';

/** The gateway could not answer (timeout, 5xx): try again later. Retried, then dead-lettered. */
export class GatewayUnavailableError extends RetryableError {}

/**
 * The gateway client (a {@link PaymentGateway} whose transient failures throw
 * {@link GatewayUnavailableError}), which CircuitPaymentGateway calls through the circuit breaker:
 * SimulatedPaymentGateway here; a real client would be bound to this token instead.
 */
export const PAYMENT_GATEWAY = Symbol('PAYMENT_GATEWAY');

/** Stripe-test-token rules (design brief §4). */
export const TestToken = {
  decline: 'tok_decline',
  insufficientFunds: 'tok_insufficient_funds',
  gatewayError: 'tok_gateway_error',
} as const;

/** What the simulated gateway answers for a token: `error` is a transient failure on every attempt. */
export function simulatedDecision(token: string): true | PaymentDeclineReason | 'error' {
  switch (token) {
    case TestToken.decline:
      return PaymentDeclineReason.cardDeclined;
    case TestToken.insufficientFunds:
      return PaymentDeclineReason.insufficientFunds;
    case TestToken.gatewayError:
      return 'error';
    default:
      return true;
  }
}

/**
 * In-process gateway following {@link simulatedDecision}. It keeps its idempotency records in
 * memory (a real gateway keeps them for a day or more): within one process a redelivered
 * authorization gets the same reference. `setOutage(true)` makes every call fail transiently, to
 * show the circuit breaker (tests, demos).
 */
export class SimulatedPaymentGateway implements PaymentGateway {
  private readonly answers = new Map<string, AuthorizeResult>();
  private outage = false;
  private sequence = 0;

  setOutage(down: boolean): void {
    this.outage = down;
  }

  async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    this.failIfDown();
    const known = this.answers.get(request.idempotencyKey);
    if (known) return known;
    const decision = simulatedDecision(request.token);
    // The error reaches logs and the DLQ's Dlq-Error header: it names the request, never the card token.
    if (decision === 'error') throw new GatewayUnavailableError(`gateway error authorizing ${request.idempotencyKey} (simulated)`);
    const answer: AuthorizeResult = decision === true ? { approved: true, reference: `auth_${++this.sequence}_${Date.now().toString(36)}` } : { approved: false, reason: decision };
    this.answers.set(request.idempotencyKey, answer);
    return answer;
  }

  async capture(): Promise<void> {
    this.failIfDown();
  }

  async void(): Promise<void> {
    this.failIfDown();
  }

  async refund(): Promise<void> {
    this.failIfDown();
  }

  private failIfDown(): void {
    if (this.outage) throw new GatewayUnavailableError('payment gateway unavailable (simulated outage)');
  }
}
