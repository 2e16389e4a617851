import { describe, expect, it } from 'vitest';
import { describeRefusals, formatProvisionReport, type ProvisionEntry, type ProvisionReport } from './provisioner.js';

const refused: ProvisionEntry = {
  kind: 'consumer',
  name: 'ORDERS/loyalty-orders',
  action: 'refused',
  changes: [],
  refusals: [
    {
      field: 'filter_subject',
      current: 'orders.*.*',
      desired: 'orders.*.confirmed',
      reason: 'the durable keeps its position',
      remedy: 'delete the durable and re-run',
    },
  ],
};
const entries: ProvisionEntry[] = [
  { kind: 'stream', name: 'ORDERS', action: 'unchanged', changes: [], refusals: [] },
  { kind: 'stream', name: 'DLQ', action: 'created', changes: [], refusals: [] },
  {
    kind: 'consumer',
    name: 'ORDERS/payment-orders',
    action: 'updated',
    changes: [{ field: 'max_ack_pending', current: '500', desired: '1000' }],
    refusals: [],
  },
  refused,
];

describe('formatProvisionReport', () => {
  it('prints one aligned line per object, the changes and refusals, then a summary', () => {
    const report: ProvisionReport = { dryRun: false, entries, unmanagedConsumers: ['ORDERS/old-name'] };
    expect(formatProvisionReport(report)).toEqual([
      'stream   ORDERS                 unchanged',
      'stream   DLQ                    created',
      'consumer ORDERS/payment-orders  updated  max_ack_pending 500 -> 1000',
      'consumer ORDERS/loyalty-orders  refused  filter_subject "orders.*.*" -> "orders.*.confirmed": the durable keeps its position; delete the durable and re-run',
      'consumer ORDERS/old-name        not in the topology (left alone)',
      'done: 1 created, 1 updated, 1 unchanged, 1 refused',
    ]);
  });

  it('says "would" in a dry run', () => {
    const lines = formatProvisionReport({ dryRun: true, entries: entries.slice(0, 3), unmanagedConsumers: [] });
    expect(lines[1]).toBe('stream   DLQ                    would create');
    expect(lines.at(-1)).toBe('dry run (nothing changed): 1 would create, 1 would update, 1 unchanged, 0 refused');
  });
});

describe('describeRefusals', () => {
  it('names the object, field, current and desired values, the reason and what to do', () => {
    expect(describeRefusals([refused])).toBe(
      'refusing unsafe JetStream topology changes (nothing was changed):\n' +
        '- consumer ORDERS/loyalty-orders: filter_subject is "orders.*.*", topology wants "orders.*.confirmed": ' +
        'the durable keeps its position. To proceed: delete the durable and re-run.',
    );
  });
});
