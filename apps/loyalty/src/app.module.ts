import { Module } from '@nestjs/common';
import { LoyaltyEventsController } from './adapters/events/loyalty-events.controller.js';
import { LoyaltyController } from './adapters/http/loyalty.controller.js';
import { AwardPoints } from './application/award-points.js';
import { LoyaltyAccounts } from './application/loyalty-accounts.js';
import { LoyaltyMetrics } from './application/loyalty.metrics.js';
import { LoyaltyStore } from './application/ports.js';
import { LoyaltyRepository } from './adapters/db/loyalty.repository.js';

/** Root module of the loyalty service: points for confirmed orders, and the balance over HTTP. */
@Module({
  controllers: [LoyaltyController, LoyaltyEventsController],
  providers: [AwardPoints, LoyaltyAccounts, LoyaltyMetrics, LoyaltyRepository, { provide: LoyaltyStore, useExisting: LoyaltyRepository }],
})
export class AppModule {}
