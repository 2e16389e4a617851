import { Module } from '@nestjs/common';
import { InventoryMetrics } from './inventory.metrics.js';
import { ProductsController } from './products/products.controller.js';
import { ProductsService } from './products/products.service.js';
import { OrderEventsController } from './reservations/order-events.controller.js';
import { ReservationsService } from './reservations/reservations.service.js';

/** Root module of the inventory service: the catalogue (HTTP) and reservations (events). */
@Module({
  controllers: [ProductsController, OrderEventsController],
  providers: [ProductsService, ReservationsService, InventoryMetrics],
})
export class AppModule {}
