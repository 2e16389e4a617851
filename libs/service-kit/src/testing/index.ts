/** Test helpers for services built on @platform/service-kit. */
export { startTestService, type TestService } from './start-test-service.js';
export { describeServiceBoot } from './service-boot.suite.js';
