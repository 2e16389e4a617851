import { bootstrapService } from '@platform/service-kit';
import { loyaltyService } from './service.definition.js';

await bootstrapService(loyaltyService);
