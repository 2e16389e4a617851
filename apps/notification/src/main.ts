import { bootstrapService } from '@platform/service-kit';
import { notificationService } from './service.definition.js';

await bootstrapService(notificationService);
