// Rendezvous (highest-random-weight) hashing: a key goes to the shard whose hash of
// (shard id, key) is highest. Every process computes the same answer from the same shard ids,
// whatever order they were configured in, and adding or removing a shard moves only the keys
// that shard wins or held (about 1/n of them) — a cache keeps the rest of its hits.
//
// The hash is FNV-1a over the bytes followed by murmur3's 32-bit finalizer: FNV alone mixes
// short, similar strings (SKUs differing in one digit) too little for an even split.

function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The index of the shard that owns `key`; -1 when there are no shards. */
export function rendezvousIndex(key: string, shardIds: readonly string[]): number {
  let best = -1;
  let bestWeight = -1;
  for (let i = 0; i < shardIds.length; i++) {
    const weight = hash32(`${shardIds[i]}\u0000${key}`);
    if (weight > bestWeight || (weight === bestWeight && (shardIds[i] ?? "") < (shardIds[best] ?? ""))) {
      best = i;
      bestWeight = weight;
    }
  }
  return best;
}
