import { bootstrapService } from '@platform/service-kit';
import { orderService } from './service.definition.js';

await bootstrapService(orderService);
