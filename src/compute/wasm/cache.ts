import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '../../common/index.js';
import { type ModuleLimits, prepareModule } from './prepare.js';

/**
 * Instrumented binaries keyed by SHA-256(module) and the limits baked into them. binaryen takes
 * ~15 ms per module even for tiny ones, and popular modules recur across jobs; the output is a pure
 * function of the key, so a hit is exactly what a fresh instrumentation would give.
 */
export class PreparedModuleCache {
  private readonly entries = new Map<string, Uint8Array>();

  constructor(private readonly capacity = 64) {}

  get(wasm: Uint8Array, limits: ModuleLimits): Uint8Array {
    const key = `${bytesToHex(sha256(wasm))}:${limits.fuelLimit}:${limits.memoryPages}`;
    const hit = this.entries.get(key);
    if (hit) {
      // Re-insert: Map keeps insertion order, so the first key is always the least recently used.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const prepared = prepareModule(wasm, limits);
    this.entries.set(key, prepared);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return prepared;
  }

  get size(): number {
    return this.entries.size;
  }
}
