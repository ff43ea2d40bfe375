// LOMS domain types.

export const OrderStatus = {
  New: "new",
  AwaitingPayment: "awaiting payment",
  Failed: "failed",
  Payed: "payed",
  Cancelled: "cancelled",
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

export interface OrderItem {
  readonly sku: number;
  readonly count: number;
}

export interface Order {
  readonly id: number;
  readonly userId: number;
  readonly status: OrderStatus;
  /** Sorted by SKU, one entry per SKU. */
  readonly items: readonly OrderItem[];
}

export interface Stock {
  readonly sku: number;
  readonly totalCount: number;
  readonly reserved: number;
}

/** What can still be reserved; never negative, even when the data says reserved > total. */
export function available(stock: Stock): number {
  return Math.max(stock.totalCount - stock.reserved, 0);
}

/** Sums counts per SKU and sorts by SKU: the one shape orders are stored and returned in. */
export function normalizeItems(items: readonly OrderItem[]): OrderItem[] {
  const bySku = new Map<number, number>();
  for (const { sku, count } of items) bySku.set(sku, (bySku.get(sku) ?? 0) + count);
  return [...bySku.entries()].sort(([a], [b]) => a - b).map(([sku, count]) => ({ sku, count }));
}

/** A status an order takes, as its outbox event announces it. */
export interface StatusChange {
  /** Unique per change: consumers deduplicate on it. */
  readonly eventId: string;
  readonly status: OrderStatus;
  readonly moment: Date;
}

/** A status change, as stored in the outbox and published to Kafka. */
export interface OrderEvent extends StatusChange {
  readonly orderId: number;
}
