import { describe, expect, it } from 'vitest';
import { GatewayUnavailableError, SimulatedPaymentGateway, simulatedDecision } from './payment-gateway.js';

const request = (token: string, idempotencyKey = 'k1') => ({ idempotencyKey, token, amountCents: 100, currency: 'USD' });

describe('simulatedDecision', () => {
  it('follows the test-token rules of the brief', () => {
    expect(simulatedDecision('tok_decline')).toBe('card_declined');
    expect(simulatedDecision('tok_insufficient_funds')).toBe('insufficient_funds');
    expect(simulatedDecision('tok_gateway_error')).toBe('error');
    expect(simulatedDecision('tok_visa')).toBe(true);
    expect(simulatedDecision('tok_anything_else')).toBe(true);
  });
});

describe('SimulatedPaymentGateway', () => {
  it('answers the same idempotency key with the same authorization', async () => {
    const gateway = new SimulatedPaymentGateway();
    const first = await gateway.authorize(request('tok_visa'));
    const again = await gateway.authorize(request('tok_visa'));
    const other = await gateway.authorize(request('tok_visa', 'k2'));
    expect(first).toMatchObject({ approved: true });
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('declines without throwing and fails tok_gateway_error transiently on every attempt', async () => {
    const gateway = new SimulatedPaymentGateway();
    await expect(gateway.authorize(request('tok_decline'))).resolves.toEqual({ approved: false, reason: 'card_declined' });
    await expect(gateway.authorize(request('tok_gateway_error', 'k3'))).rejects.toBeInstanceOf(GatewayUnavailableError);
    await expect(gateway.authorize(request('tok_gateway_error', 'k3'))).rejects.toBeInstanceOf(GatewayUnavailableError);
  });

  it('names the request in its error, never the card token (the message reaches logs and the DLQ)', async () => {
    const error = await new SimulatedPaymentGateway().authorize(request('tok_gateway_error', 'acme:o-1:authorize')).catch((e: Error) => e);
    expect((error as Error).message).toBe('gateway error authorizing acme:o-1:authorize (simulated)');
    expect((error as Error).message).not.toContain('tok_');
  });

  it('fails every call during an outage and recovers after it', async () => {
    const gateway = new SimulatedPaymentGateway();
    gateway.setOutage(true);
    await expect(gateway.authorize(request('tok_visa'))).rejects.toBeInstanceOf(GatewayUnavailableError);
    await expect(gateway.capture()).rejects.toBeInstanceOf(GatewayUnavailableError);
    gateway.setOutage(false);
    await expect(gateway.authorize(request('tok_visa'))).resolves.toMatchObject({ approved: true });
  });
});
