import { Module } from '@nestjs/common';
import { OrderMetrics } from './order.metrics.js';
import { DeadlineSweeper } from './orders/deadline.sweeper.js';
import { FlowEventsController } from './orders/flow-events.controller.js';
import { OrdersController } from './orders/orders.controller.js';
import { OrdersService } from './orders/orders.service.js';

/** Root module of the order service: the HTTP API, the flow's reactions and the deadline sweeper. */
@Module({
  controllers: [OrdersController, FlowEventsController],
  providers: [OrdersService, OrderMetrics, DeadlineSweeper],
})
export class AppModule {}
