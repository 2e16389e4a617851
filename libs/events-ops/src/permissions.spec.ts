import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { natsUserEntry } from './nats-auth.js';
import { servicePermissions } from './permissions.js';
import { PLATFORM_REPLAY_STREAMS, PlatformService, platformTopology } from '@platform/contracts';

const topology = platformTopology();
const doc = readFileSync(new URL('../../../docs/topology.md', import.meta.url), 'utf8');

describe('servicePermissions', () => {
  it("grants the payment service its durable, its dead letters, its domain and its inbox, nothing else", () => {
    expect(servicePermissions(topology, 'payment')).toEqual({
      publish: {
        allow: [
          'payments.>',
          '$JS.API.CONSUMER.INFO.ORDERS.payment-orders',
          '$JS.API.CONSUMER.MSG.NEXT.ORDERS.payment-orders',
          '$JS.ACK.ORDERS.payment-orders.>',
          'dlq.payment-orders.>',
          '$JS.API.STREAM.MSG.GET.ORDERS',
        ],
      },
      subscribe: { allow: ['_INBOX_payment.>', '$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.ORDERS.payment-orders'] },
    });
  });

  it('gives a service that produces no events no domain to publish to', () => {
    const analytics = servicePermissions(topology, 'analytics').publish.allow;
    expect(analytics.filter((s) => !s.startsWith('$JS.') && !s.startsWith('dlq.'))).toEqual([]);
    expect(analytics.filter((s) => s.startsWith('$JS.API.STREAM.MSG.GET.'))).toHaveLength(5);
  });

  it('lets a replaying service read its replay streams by sequence, and never create, read or delete consumers beyond its durables', () => {
    const allow = servicePermissions(topology, 'analytics', { replayStreams: ['ORDERS'] }).publish.allow;
    expect(allow).toEqual(expect.arrayContaining(['$JS.API.INFO', '$JS.API.STREAM.INFO.ORDERS', '$JS.API.STREAM.MSG.GET.ORDERS']));
    expect(allow.filter((s) => s.includes('PAYMENTS') && s.startsWith('$JS.API.STREAM.INFO'))).toEqual([]);
    expect(allow.filter((s) => /^\$JS\.API\.CONSUMER\.(CREATE|DELETE)\./.test(s) || s.endsWith('.>') && s.startsWith('$JS.API.CONSUMER.'))).toEqual([]);
    expect(new Set(allow).size).toBe(allow.length);
  });

  it('takes tenant-narrowed publish subjects and another inbox prefix', () => {
    const perms = servicePermissions(topology, 'order', { publishes: ['orders.demo.>'], inboxPrefix: '_INBOX_order_1' });
    expect(perms.publish.allow[0]).toBe('orders.demo.>');
    expect(perms.subscribe.allow[0]).toBe('_INBOX_order_1.>');
  });
});

describe('docs/topology.md', () => {
  it('shows the generated user config of every service', () => {
    const missing = Object.values(PlatformService).filter(
      (service) =>
        !doc.includes(
          natsUserEntry({ name: service, publicKey: `<${service} public NKey>`, permissions: servicePermissions(topology, service, { replayStreams: PLATFORM_REPLAY_STREAMS[service] }) }),
        ),
    );
    expect(missing).toEqual([]);
  });

  it('lists every consumer with its stream and filter', () => {
    const missing = topology.consumers.filter((c) => !doc.includes(`| \`${c.durable}\` | ${c.service} | ${c.stream} | \`${c.filterSubject}\` |`));
    expect(missing.map((c) => c.durable)).toEqual([]);
  });
});
