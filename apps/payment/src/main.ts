import { bootstrapService } from '@platform/service-kit';
import { paymentService } from './service.definition.js';

await bootstrapService(paymentService);
