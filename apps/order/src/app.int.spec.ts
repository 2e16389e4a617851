import { describeServiceBoot } from '@platform/service-kit/testing';
import { orderService } from './service.definition.js';

describeServiceBoot(orderService);
