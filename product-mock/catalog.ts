// The catalog product-mock serves: the SKUs the course's tests and seed stock use, then a few
// thousand generated products so that listing, paging and load tests have something to chew on.

export interface Product {
  readonly sku: number;
  readonly name: string;
  readonly price: number;
}

// Names and prices the course's own tests assert on, kept exactly; then the seed stock's others.
const KNOWN_PRODUCTS: readonly Product[] = [
  { sku: 1076963, name: "Теория нравственных чувств | Смит Адам", price: 3379 },
  { sku: 1148162, name: "Кулинар Гуров", price: 2931 },
  { sku: 773297411, name: "Кроссовки Nike JORDAN", price: 2202 },
  { sku: 2958025, name: "Roxy Music. Stranded. Remastered Edition", price: 1028 },
  { sku: 2618151, name: "Пора снимать бикини", price: 452 },
  { sku: 2956315, name: "Eloy. Time To Turn", price: 3130 },
  { sku: 5097510, name: "Двенадцатый день Рождества", price: 2300 },
  // The remaining SKUs of the seed stock. Their course names are not part of our contract, so
  // they carry descriptive names of our own.
  { sku: 135717466, name: "Рюкзак городской 20 л", price: 1890 },
  { sku: 135937324, name: "Кружка керамическая 350 мл", price: 490 },
  { sku: 1625903, name: "Набор карандашей, 24 цвета", price: 375 },
  { sku: 139275865, name: "Носки хлопковые, 5 пар", price: 599 },
  { sku: 139819069, name: "Наушники беспроводные", price: 4590 },
  { sku: 139818428, name: "Чехол для телефона", price: 350 },
  { sku: 3596599, name: "Настольная игра «Каркассон»", price: 2490 },
  { sku: 3618852, name: "Термос стальной 1 л", price: 1590 },
  { sku: 4288068, name: "Фонарь налобный", price: 890 },
  { sku: 4465995, name: "Зонт складной", price: 1290 },
  { sku: 30816475, name: "Плед флисовый 150×200", price: 1190 },
];

const ADJECTIVES = [
  "Compact",
  "Classic",
  "Smart",
  "Eco",
  "Deluxe",
  "Mini",
  "Pro",
  "Soft",
  "Travel",
  "Family",
];
const NOUNS = [
  "Lamp",
  "Kettle",
  "Backpack",
  "Notebook",
  "Blender",
  "Jacket",
  "Puzzle",
  "Speaker",
  "Mug",
  "Chair",
];

/** Generated SKUs start here, far from the course's, and step by a prime to look unordered. */
const GENERATED_BASE = 900_000_000;
const GENERATED_STEP = 7919;

/** The SKUs of the first `count` generated products (what the bench seed stocks). */
export function generatedSkus(count: number): number[] {
  return Array.from({ length: count }, (_, i) => GENERATED_BASE + i * GENERATED_STEP);
}

export function buildCatalog(generated: number): Map<number, Product> {
  const catalog = new Map<number, Product>();
  for (const p of KNOWN_PRODUCTS) catalog.set(p.sku, p);
  const random = mulberry32(256);
  for (let i = 0; i < generated; i++) {
    const sku = GENERATED_BASE + i * GENERATED_STEP;
    const name = `${pick(ADJECTIVES, random)} ${pick(NOUNS, random)} #${i + 1}`;
    catalog.set(sku, { sku, name, price: 100 + Math.floor(random() * 49_900) });
  }
  return catalog;
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

// A tiny seeded PRNG so that the generated catalog is the same on every start.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
