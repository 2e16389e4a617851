import { Module } from '@nestjs/common';
import { OrderMetrics } from './order.metrics.js';
import { DeadlineSweeper } from './orders/deadline.sweeper.js';
import { FlowEventsController } from './orders/flow-events.controller.js';
import { OrderAdmission } from './orders/order-admission.service.js';
import { OrdersController } from './orders/orders.controller.js';
import { OrdersService } from './orders/orders.service.js';

/** Root module of the order service: the HTTP API, admission control, the flow's reactions and the deadline sweeper. */
@Module({
  controllers: [OrdersController, FlowEventsController],
  providers: [OrdersService, OrderMetrics, DeadlineSweeper, OrderAdmission],
})
export class AppModule {}
