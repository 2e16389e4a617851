import { describeServiceBoot } from '@platform/service-kit/testing';
import { inventoryService } from './service.definition.js';

describeServiceBoot(inventoryService);
