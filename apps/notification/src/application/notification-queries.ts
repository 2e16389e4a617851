import { Injectable } from '@nestjs/common';
import type { NotificationFilter } from '../domain/notification-access.js';
import { type NotificationRow, NotificationStore } from './ports.js';

/** Reads of the notifications sent (outside any transaction: one statement each). */
@Injectable()
export class NotificationQueries {
  constructor(private readonly store: NotificationStore) {}

  /** The tenant's notifications about one order or customer, newest first; `onlyCustomerId`: those addressed to it. */
  list(tenantId: string, filter: NotificationFilter, limit: number, onlyCustomerId?: string): Promise<NotificationRow[]> {
    return this.store.list(tenantId, filter, limit, onlyCustomerId);
  }
}
