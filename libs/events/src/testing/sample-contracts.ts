import { IsInt, IsString, IsUUID, Length, Min } from 'class-validator';
import { defineEvent } from '../contracts/define-event.js';

/**
 * Two small contracts for the library's own specs, in the `orders` domain the test streams use.
 * The library is tested without any real catalogue: an adopter's is its own, the reference
 * platform's is `@platform/contracts`.
 */
export class SampleOrderConfirmed {
  @IsUUID('all') orderId!: string;
  @IsString() @Length(1, 64) customerId!: string;
  @IsInt() @Min(0) totalCents!: number;
  @IsString() @Length(3, 3) currency!: string;
}

export const sampleOrderConfirmedV1 = defineEvent({
  type: 'order.confirmed.v1',
  payload: SampleOrderConfirmed,
  aggregate: 'order',
  subjectField: 'orderId',
  domain: 'orders',
  description: 'A sample order was confirmed (library specs only).',
});

export class SampleOrderCreated {
  @IsUUID('all') orderId!: string;
}

export const sampleOrderCreatedV2 = defineEvent({
  type: 'order.created.v2',
  payload: SampleOrderCreated,
  aggregate: 'order',
  subjectField: 'orderId',
  domain: 'orders',
  description: 'A sample order was created (library specs only).',
});

/** A valid `order.confirmed.v1` payload of {@link sampleOrderConfirmedV1}. */
export const sampleOrderConfirmed: SampleOrderConfirmed = {
  orderId: '0190b6a0-7c2e-7f3a-9d1e-6a7b8c9d0e1f',
  customerId: 'c-1',
  totalCents: 2500,
  currency: 'EUR',
};
