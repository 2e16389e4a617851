import { describeServiceBoot } from '@platform/service-kit/testing';
import { loyaltyService } from './service.definition.js';

describeServiceBoot(loyaltyService);
