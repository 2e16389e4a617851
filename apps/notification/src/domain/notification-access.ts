/** The notifications a listing is about: one order's or one customer's. */
export type NotificationFilter = { readonly orderId: string } | { readonly customerId: string };

/** Why a listing is refused: not exactly one of `orderId` and `customerId`, or a customer asking for another's. */
export type ListingRefusal = 'not-exactly-one-filter' | 'not-own-customer';

/**
 * The filter of a listing, or why it is refused. Exactly one of `orderId` and `customerId`:
 * listing a whole tenant's notifications is not offered. A customer (`ownCustomerId` set) reads
 * what was sent to it: `customerId` its own only; an `orderId` is narrowed to it by the caller.
 */
export function listingFilter(
  query: { readonly orderId?: string; readonly customerId?: string },
  ownCustomerId: string | undefined,
): { readonly filter: NotificationFilter } | { readonly refused: ListingRefusal } {
  const { orderId, customerId } = query;
  if (orderId !== undefined && customerId === undefined) return { filter: { orderId } };
  if (customerId === undefined || orderId !== undefined) return { refused: 'not-exactly-one-filter' };
  if (ownCustomerId !== undefined && customerId !== ownCustomerId) return { refused: 'not-own-customer' };
  return { filter: { customerId } };
}
