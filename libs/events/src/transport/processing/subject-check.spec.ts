import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../errors.js';
import { permissiveRegistry } from '../../testing/event-fixtures.js';
import { FakeMessage } from '../../testing/fake-message.js';
import { messageOf, orderEvent } from './stage.fixtures.js';
import { SubjectCheck } from './subject-check.js';
import type { ConsumerEventRegistry } from './types.js';

describe('SubjectCheck', () => {
  const check = new SubjectCheck(permissiveRegistry);
  const event = orderEvent({ tenantId: 'acme' });

  it('passes an envelope that arrived on the subject of its type and tenant', () => {
    expect(check.check(messageOf(event), event)).toBeUndefined();
  });

  it('rejects an envelope whose tenant, domain or event name disagree with its subject, naming where it belongs', () => {
    const wrong = ['orders.other.created', 'payments.acme.created', 'orders.acme.confirmed'].map((subject) => check.check(FakeMessage.json(subject, event), event));
    expect(wrong.map((r) => r?.reason)).toEqual(['subject_mismatch', 'subject_mismatch', 'subject_mismatch']);
    expect(wrong[0]!.error).toBeInstanceOf(PermanentError);
    expect((wrong[0]!.error as Error).message).toBe('order.created.v1 of tenant acme belongs on orders.acme.created; it arrived on orders.other.created');
  });

  it('rejects an envelope of a type for which the registry declares no subject', () => {
    const registry: ConsumerEventRegistry = {
      ...permissiveRegistry,
      subjectOf: () => {
        throw new Error('no domain');
      },
    };
    const rejection = new SubjectCheck(registry).check(messageOf(event), event);
    expect(rejection?.reason).toBe('subject_mismatch');
    expect((rejection?.error as Error).message).toBe('no subject domain is declared for order.created.v1; it arrived on orders.acme.created');
  });
});
