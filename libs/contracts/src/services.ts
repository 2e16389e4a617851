// The one list of the platform's services and streams: the topology, the NATS identities, the
// lint boundaries, npm start and the e2e harness all derive theirs from it.

/** The services of the reference platform (each one a subject token and a durable name prefix). */
export const PlatformService = {
  Order: 'order',
  Payment: 'payment',
  Inventory: 'inventory',
  Notification: 'notification',
  Analytics: 'analytics',
  Loyalty: 'loyalty',
} as const;
export type PlatformService = (typeof PlatformService)[keyof typeof PlatformService];

/**
 * Streams a platform service re-reads from the start (ordered consumers), which its NATS user
 * must allow (`servicePermissions(…, { replayStreams })`): analytics rebuilds its aggregates.
 */
export const PLATFORM_REPLAY_STREAMS: Readonly<Partial<Record<PlatformService, readonly string[]>>> = {
  analytics: ['ORDERS', 'PAYMENTS', 'INVENTORY', 'LOYALTY', 'NOTIFICATIONS'],
};

/** One stream per producing domain, plus the dead-letter stream. */
export const PlatformStream = {
  Orders: 'ORDERS',
  Payments: 'PAYMENTS',
  Inventory: 'INVENTORY',
  Loyalty: 'LOYALTY',
  Notifications: 'NOTIFICATIONS',
  Dlq: 'DLQ',
} as const;
export type PlatformStream = (typeof PlatformStream)[keyof typeof PlatformStream];
