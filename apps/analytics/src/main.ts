import { bootstrapService } from '@platform/service-kit';
import { analyticsService } from './service.definition.js';

await bootstrapService(analyticsService);
