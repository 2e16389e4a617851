import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { paymentTokenSealerProvider } from '@platform/service-kit';
import { OrderMetrics } from './application/order.metrics.js';
import { DeadlineSweeper } from './application/deadline.sweeper.js';
import { IdempotencyKeySweeper } from './adapters/db/idempotency-keys.sweeper.js';
import { FlowEventsController } from './adapters/events/flow-events.controller.js';
import { OrderAdmission } from './adapters/http/order-admission.service.js';
import { orderRateLimitOptions } from './adapters/http/order-rate-limit.guard.js';
import { OrdersController } from './adapters/http/orders.controller.js';
import { OrdersService } from './application/orders.service.js';

/** Root module of the order service: the HTTP API, admission control, the flow's reactions and the deadline sweeper. */
@Module({
  imports: [ThrottlerModule.forRootAsync(orderRateLimitOptions)],
  controllers: [OrdersController, FlowEventsController],
  providers: [OrdersService, OrderMetrics, DeadlineSweeper, IdempotencyKeySweeper, OrderAdmission, paymentTokenSealerProvider],
})
export class AppModule {}
