import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { paymentTokenSealerProvider } from '@platform/service-kit';
import { OrderMetrics } from './order.metrics.js';
import { DeadlineSweeper } from './orders/deadline.sweeper.js';
import { IdempotencyKeySweeper } from './orders/idempotency-keys.sweeper.js';
import { FlowEventsController } from './orders/flow-events.controller.js';
import { OrderAdmission } from './orders/order-admission.service.js';
import { orderRateLimitOptions } from './orders/order-rate-limit.guard.js';
import { OrdersController } from './orders/orders.controller.js';
import { OrdersService } from './orders/orders.service.js';

/** Root module of the order service: the HTTP API, admission control, the flow's reactions and the deadline sweeper. */
@Module({
  imports: [ThrottlerModule.forRootAsync(orderRateLimitOptions)],
  controllers: [OrdersController, FlowEventsController],
  providers: [OrdersService, OrderMetrics, DeadlineSweeper, IdempotencyKeySweeper, OrderAdmission, paymentTokenSealerProvider],
})
export class AppModule {}
