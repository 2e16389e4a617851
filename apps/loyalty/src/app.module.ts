import { Module } from '@nestjs/common';
import { LoyaltyEventsController } from './loyalty-events.controller.js';
import { LoyaltyController } from './loyalty.controller.js';
import { LoyaltyMetrics } from './loyalty.metrics.js';
import { LoyaltyRepository } from './loyalty.repository.js';

/** Root module of the loyalty service: points for confirmed orders, and the balance over HTTP. */
@Module({
  controllers: [LoyaltyController, LoyaltyEventsController],
  providers: [LoyaltyRepository, LoyaltyMetrics],
})
export class AppModule {}
