import { describeServiceBoot } from '@platform/service-kit/testing';
import { paymentService } from './service.definition.js';

describeServiceBoot(paymentService);
