/**
 * - `new`: nobody has this event; the caller now holds the claim and must `complete` or `release` it.
 * - `duplicate`: the app already answered 2xx for it.
 * - `in_flight`: another request holds the claim right now.
 */
export type ClaimResult = 'new' | 'duplicate' | 'in_flight';

/**
 * Remembers which events were delivered. `claim` must be atomic across every request that shares the
 * store (one process for the memory store; every replica for a shared one), so that concurrent copies of
 * one event reach the app once.
 */
export interface DedupeStore {
  /**
   * Claims the key for one delivery attempt. The claim expires by itself after `claimTtlMs`, so an attempt
   * that never ends (a crash, a lost release) cannot block the sender's retries for long.
   */
  claim(key: string, claimTtlMs: number): Promise<ClaimResult>;
  /** The app answered 2xx: remember the event as delivered for the store's TTL. */
  complete(key: string): Promise<void>;
  /** The attempt ended any other way: forget the claim so that the sender's retry is delivered. */
  release(key: string): Promise<void>;
  /** How many events are remembered or claimed now. */
  size(): Promise<number>;
  close(): Promise<void>;
}
