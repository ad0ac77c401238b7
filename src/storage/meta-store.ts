import { WriteBatch } from './batch.js';
import type { Database } from './db.js';
import { StorageError } from './errors.js';
import { metaKey } from './keys.js';
import { plain } from './values.js';

/** Names the storage module keeps for itself under the metadata prefix. */
const RESERVED = new Set(['schema_version', 'nullifier_count', 'compute_next_seq', 'spend_root_window_ms']);
const MAX_NAME_BYTES = 256;

/** Small named values (node settings, last anchored height, ...) under [0x00][utf-8 name]. */
export class MetaStore {
  constructor(private readonly db: Database) {}

  async get(name: string): Promise<Uint8Array | undefined> {
    return plain(await this.db.get(this.key(name)));
  }

  async put(name: string, value: Uint8Array, options: { sync?: boolean } = {}): Promise<void> {
    const batch = new WriteBatch();
    this.stage(batch, name, value);
    await this.db.write(batch, { sync: options.sync ?? true });
  }

  stage(batch: WriteBatch, name: string, value: Uint8Array): void {
    batch.put(this.key(name), value);
  }

  stageDelete(batch: WriteBatch, name: string): void {
    batch.del(this.key(name));
  }

  async delete(name: string): Promise<void> {
    const batch = new WriteBatch();
    batch.del(this.key(name));
    await this.db.write(batch, { sync: true });
  }

  private key(name: string): Buffer {
    if (RESERVED.has(name)) throw new StorageError('INVALID_ARGUMENT', 'metadata name is reserved', { name });
    const k = metaKey(name);
    if (name.length === 0 || k.length - 1 > MAX_NAME_BYTES) {
      throw new StorageError('INVALID_ARGUMENT', 'metadata name must be 1..256 bytes', {
        length: k.length - 1,
      });
    }
    return k;
  }
}
