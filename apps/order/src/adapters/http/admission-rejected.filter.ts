import { Catch, HttpStatus, ServiceUnavailableException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { errorBody } from '@platform/service-kit';
import type { FastifyReply } from 'fastify';
import type { ShedReason } from '../../domain/admission.js';

const MESSAGES: Record<ShedReason, string> = {
  pending: 'the order service is at capacity: too many orders in progress',
  in_flight: 'the order service is at capacity: too many concurrent requests',
};

/** A `POST /orders` refused by admission control: nothing was stored, the client may retry later. */
export class OrderAdmissionRejected extends ServiceUnavailableException {
  constructor(
    readonly reason: ShedReason,
    readonly retryAfterSeconds: number,
  ) {
    super(`${MESSAGES[reason]}; retry after ${retryAfterSeconds} s`);
  }
}

/**
 * Answers {@link OrderAdmissionRejected} with `503`, `Retry-After` and the platform's error body
 * (`errorBody`). The kit's global filter would replace a 5xx message by a generic one and log the
 * request as failed; a deliberate refusal is neither a failure nor a secret (and logging each one
 * would add load exactly when there is too much).
 */
@Catch(OrderAdmissionRejected)
export class AdmissionRejectedFilter implements ExceptionFilter<OrderAdmissionRejected> {
  catch(exception: OrderAdmissionRejected, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply
      .status(HttpStatus.SERVICE_UNAVAILABLE)
      .header('retry-after', String(exception.retryAfterSeconds))
      .send(errorBody(HttpStatus.SERVICE_UNAVAILABLE, exception.message));
  }
}
