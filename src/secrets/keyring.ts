/** One accepted webhook secret: where it came from (never its value) and its bytes. */
export interface SecretKey {
  name: string;
  value: Buffer;
}

/**
 * The set of secrets a signature may match. A reload replaces the whole set in one assignment, so a
 * request that reads `values()` sees either the old set or the new one, never a half-built or empty one.
 */
export class Keyring {
  #values: readonly Buffer[] = [];

  replace(keys: readonly SecretKey[]): void {
    this.#values = Object.freeze(keys.map((key) => key.value));
  }

  values(): readonly Buffer[] {
    return this.#values;
  }

  get size(): number {
    return this.#values.length;
  }
}
