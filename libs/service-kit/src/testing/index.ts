/** Test helpers for services built on @platform/service-kit. */
export { startTestService, TEST_PAYMENT_TOKEN_KEYS, type TestService } from './start-test-service.js';
export { describeServiceBoot } from './service-boot.suite.js';
export { createTestAuth, signJwt, TEST_AUTH_AUDIENCE, TEST_AUTH_ISSUER, testAuth, type TestAuth, type TestTokenOptions } from './test-auth.js';
export { loadConfigError } from './config-error.js';
