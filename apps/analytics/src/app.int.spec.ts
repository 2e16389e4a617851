import { describeServiceBoot } from '@platform/service-kit/testing';
import { analyticsService } from './service.definition.js';

describeServiceBoot(analyticsService);
