import { Module } from '@nestjs/common';
import { ProductsRepository } from './adapters/db/products.repository.js';
import { ReservationsRepository } from './adapters/db/reservations.repository.js';
import { OrderEventsController } from './adapters/events/order-events.controller.js';
import { ProductsController } from './adapters/http/products.controller.js';
import { InventoryMetrics } from './application/inventory.metrics.js';
import { ProductsStore, ReservationsStore } from './application/ports.js';
import { ProductsService } from './application/products.service.js';
import { ReservationsService } from './application/reservations.service.js';

/** Root module of the inventory service: the catalogue (HTTP) and reservations (events). */
@Module({
  controllers: [ProductsController, OrderEventsController],
  providers: [
    ProductsService,
    ReservationsService,
    ProductsRepository,
    { provide: ProductsStore, useExisting: ProductsRepository },
    ReservationsRepository,
    { provide: ReservationsStore, useExisting: ReservationsRepository },
    InventoryMetrics,
  ],
})
export class AppModule {}
