import { bootstrapService } from '@platform/service-kit';
import { inventoryService } from './service.definition.js';

await bootstrapService(inventoryService);
