/** Test doubles, fixtures and conformance suites for code built on @platform/events. */
export { InMemoryPublisher, type StoredMessage } from './in-memory.publisher.js';
export { describePublisherConformance, type PublisherUnderTest } from './publisher.conformance.js';
export { FakeMessage } from './fake-message.js';
export { freePort, NATS_SERVER_BIN, startTestNatsServer, type TestNatsServer } from './nats-server.js';
export { readStream, streamCount, type ReadMessage } from './stream-reader.js';
export { acceptAnyEvent, migrateEventsSchema, permissiveRegistry } from './event-fixtures.js';
export { describeDatabaseConformance, type DatabaseUnderTest } from './storage.conformance.js';
export { adminQuery, createTestPgDatabase, createTestPgliteDatabase, TEST_DATABASE_URL, testDatabaseEngines, type TestDatabase } from './databases.js';
export { seededRandom } from './seeded-random.js';
export { createTestCertificates, type TestCertificates } from './test-certificates.js';
export { collect as collectJsonKey } from './json-tree.js';
