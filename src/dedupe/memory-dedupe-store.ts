import { LRUCache } from 'lru-cache';

import type { ClaimResult, DedupeStore } from './dedupe-store.js';

type EntryState = 'in_flight' | 'delivered';

/**
 * A DedupeStore for one process, bounded in count and age. When full, the least recently used entry is
 * forgotten first: a delivered event forgotten that way may reach the app again on a late retry. A claim in
 * flight is the most recently used entry, so it would take DEDUPE_MAX_ENTRIES newer events within its few
 * seconds to evict it.
 */
export class MemoryDedupeStore implements DedupeStore {
  readonly #entries: LRUCache<string, EntryState>;
  readonly #deliveredTtlMs: number;

  constructor(options: { maxEntries: number; ttlSeconds: number }) {
    this.#deliveredTtlMs = options.ttlSeconds * 1000;
    this.#entries = new LRUCache<string, EntryState>({ max: options.maxEntries, ttl: this.#deliveredTtlMs });
  }

  // Node runs this synchronously between awaits, so check-then-set cannot interleave with another claim.
  async claim(key: string, claimTtlMs: number): Promise<ClaimResult> {
    const state = this.#entries.get(key);
    if (state === 'delivered') return 'duplicate';
    if (state === 'in_flight') return 'in_flight';
    this.#entries.set(key, 'in_flight', { ttl: claimTtlMs });
    return 'new';
  }

  async complete(key: string): Promise<void> {
    this.#entries.set(key, 'delivered', { ttl: this.#deliveredTtlMs });
  }

  async release(key: string): Promise<void> {
    if (this.#entries.peek(key) === 'in_flight') this.#entries.delete(key);
  }

  async size(): Promise<number> {
    return this.#entries.size;
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }
}
