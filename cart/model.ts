// Cart domain types.

export interface CartLine {
  readonly sku: number;
  readonly count: number;
}

export interface Product {
  readonly name: string;
  readonly price: number;
}

export interface CartItem extends CartLine, Product {}

export interface CartView {
  /** Sorted by SKU. */
  readonly items: readonly CartItem[];
  readonly totalPrice: number;
}
