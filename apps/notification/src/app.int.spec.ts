import { describeServiceBoot } from '@platform/service-kit/testing';
import { notificationService } from './service.definition.js';

describeServiceBoot(notificationService);
