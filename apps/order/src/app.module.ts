import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { paymentTokenSealerProvider } from '@platform/service-kit';
import { CatalogueRepository } from './adapters/db/catalogue.repository.js';
import { IdempotencyKeysRepository } from './adapters/db/idempotency-keys.repository.js';
import { IdempotencyKeySweeper } from './adapters/db/idempotency-keys.sweeper.js';
import { OrdersRepository } from './adapters/db/orders.repository.js';
import { FlowEventsController } from './adapters/events/flow-events.controller.js';
import { OrderAdmission } from './adapters/http/order-admission.service.js';
import { orderRateLimitOptions } from './adapters/http/order-rate-limit.guard.js';
import { OrdersController } from './adapters/http/orders.controller.js';
import { CatalogueProjection } from './application/catalogue-projection.js';
import { DeadlineSweeper } from './application/deadline.sweeper.js';
import { OrderFlow } from './application/order-flow.service.js';
import { OrderQueries } from './application/order-queries.js';
import { OrderMetrics } from './application/order.metrics.js';
import { PlaceOrder } from './application/place-order.js';
import { CatalogueStore, IdempotencyKeysStore, OrdersStore } from './application/ports.js';

/** Root module of the order service: the HTTP API, admission control, the flow's reactions and the deadline sweeper. */
@Module({
  imports: [ThrottlerModule.forRootAsync(orderRateLimitOptions)],
  controllers: [OrdersController, FlowEventsController],
  providers: [
    PlaceOrder,
    OrderFlow,
    OrderQueries,
    CatalogueProjection,
    OrdersRepository,
    { provide: OrdersStore, useExisting: OrdersRepository },
    IdempotencyKeysRepository,
    { provide: IdempotencyKeysStore, useExisting: IdempotencyKeysRepository },
    CatalogueRepository,
    { provide: CatalogueStore, useExisting: CatalogueRepository },
    OrderMetrics,
    DeadlineSweeper,
    IdempotencyKeySweeper,
    OrderAdmission,
    paymentTokenSealerProvider,
  ],
})
export class AppModule {}
