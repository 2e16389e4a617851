import { describe, expect, it } from 'vitest';
import { generateAsyncApi } from './asyncapi.js';
import { createPlatformRegistry } from '@platform/contracts';
import { collectJsonKey as collect } from '@platform/events/testing';

const registry = createPlatformRegistry();
const types = registry.list().map((contract) => contract.type);

function resolvePointer(document: unknown, ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, token) => (node as Record<string, unknown> | undefined)?.[token], document);
}

describe('generateAsyncApi', () => {
  const document = generateAsyncApi(registry) as Record<string, any>;

  it('is an AsyncAPI 3.0 document with a message and a data schema per versioned type', () => {
    expect(document['asyncapi']).toBe('3.0.0');
    expect(document['defaultContentType']).toBe('application/cloudevents+json');
    expect(Object.keys(document['components']['messages']).sort()).toEqual(types);
    expect(Object.keys(document['components']['schemas']).sort()).toEqual(['CloudEventsEnvelope', ...types].sort());
  });

  it('has one channel per subject pattern holding every version of the event', () => {
    const created = document['channels']['orders.created'];
    expect(created.address).toBe('orders.{tenant}.created');
    expect(Object.keys(created.messages)).toEqual(['order.created.v1', 'order.created.v2', 'order.created.v3']);
    const channelMessages = Object.values(document['channels']).flatMap((channel: any) => Object.keys(channel.messages));
    expect(channelMessages.sort()).toEqual(types);
    for (const [id, channel] of Object.entries<any>(document['channels'])) {
      expect(channel.address, id).toMatch(/^[a-z]+\.\{tenant\}\.[a-z-]+$/);
      expect(Object.keys(channel.parameters), id).toEqual(['tenant']);
    }
  });

  it('wraps each data schema in the CloudEvents envelope and pins the type', () => {
    const message = document['components']['messages']['payment.declined.v1'];
    expect(message.payload.allOf[0]).toEqual({ $ref: '#/components/schemas/CloudEventsEnvelope' });
    expect(message.payload.allOf[1].properties.type).toEqual({ type: 'string', const: 'payment.declined.v1' });
    expect(message.payload.allOf[1].properties.data).toEqual({ $ref: '#/components/schemas/payment.declined.v1' });
    const envelope = document['components']['schemas']['CloudEventsEnvelope'];
    expect(envelope.required).toEqual(expect.arrayContaining(['specversion', 'id', 'type', 'tenantid', 'sequence', 'data']));
  });

  it('declares a send operation per channel listing its messages', () => {
    const operation = document['operations']['order.created.publish'];
    expect(operation).toMatchObject({ action: 'send', channel: { $ref: '#/channels/orders.created' } });
    expect(operation.messages).toEqual([
      { $ref: '#/channels/orders.created/messages/order.created.v1' },
      { $ref: '#/channels/orders.created/messages/order.created.v2' },
      { $ref: '#/channels/orders.created/messages/order.created.v3' },
    ]);
    expect(Object.keys(document['operations'])).toHaveLength(Object.keys(document['channels']).length);
  });

  it('resolves every $ref inside the document', () => {
    const refs = collect(document, '$ref') as string[];
    expect(refs.length).toBeGreaterThan(types.length * 3);
    const dangling = refs.filter((ref) => resolvePointer(document, ref) === undefined);
    expect(dangling).toEqual([]);
  });
});
