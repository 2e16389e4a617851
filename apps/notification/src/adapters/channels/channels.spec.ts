import { Logger } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChannelRouter, EmailChannel, WebhookChannel, type NotificationChannel, type OutgoingNotification } from './channels.js';

const notification: OutgoingNotification = {
  notificationId: '0190b3a2-7d3e-7c11-9a4f-1f2e3d4c5b6a',
  tenantId: 'acme',
  template: 'order-confirmed',
  channel: 'email',
  recipient: 'customer:c-1',
  orderId: '0190b3a2-7d3e-7c11-9a4f-1f2e3d4c5b6b',
  message: 'hello',
};

function recording(kind: NotificationChannel['kind']): NotificationChannel & { sent: OutgoingNotification[] } {
  const sent: OutgoingNotification[] = [];
  return { kind, sent, send: async (n) => void sent.push(n) };
}

describe('ChannelRouter', () => {
  it('delivers on the channel the notification names', async () => {
    const email = recording('email');
    const webhook = recording('webhook');
    const router = new ChannelRouter([email, webhook]);
    await router.send(notification);
    await router.send({ ...notification, channel: 'webhook', template: 'stock-low', recipient: 'ops', orderId: undefined });
    expect(email.sent).toEqual([notification]);
    expect(webhook.sent.map((n) => n.recipient)).toEqual(['ops']);
  });

  it('fails when the channel is not configured, so that the event is retried', async () => {
    await expect(new ChannelRouter([recording('email')]).send({ ...notification, channel: 'sms' })).rejects.toThrow('no sms channel is configured');
  });

  it('propagates a channel failure', async () => {
    const failing: NotificationChannel = { kind: 'email', send: async () => Promise.reject(new Error('smtp down')) };
    await expect(new ChannelRouter([failing]).send(notification)).rejects.toThrow('smtp down');
  });

  describe('log-only channels', () => {
    afterEach(() => vi.restoreAllMocks());

    it.each([
      ['email', new EmailChannel(), 'email sent'],
      ['webhook', new WebhookChannel(), 'webhook called'],
    ] as const)('the %s channel logs the delivery with structured fields', async (kind, channel, msg) => {
      const log = vi.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
      expect(channel.kind).toBe(kind);
      await channel.send({ ...notification, channel: kind });
      expect(log).toHaveBeenCalledTimes(1);
      expect(log.mock.calls[0]![0]).toMatchObject({
        msg,
        tenant: 'acme',
        notificationId: notification.notificationId,
        orderId: notification.orderId,
        template: 'order-confirmed',
        channel: kind,
        recipient: 'customer:c-1',
      });
    });
  });
});
