/**
 * The small persistence port consensus needs: named values. src/storage's MetaStore satisfies it
 * structurally; tests and the simulator use MemoryKv.
 */
export interface KeyValue {
  get(name: string): Promise<Uint8Array | undefined>;
  put(name: string, value: Uint8Array, options?: { sync?: boolean }): Promise<void>;
}

export class MemoryKv implements KeyValue {
  readonly data = new Map<string, Uint8Array>();

  async get(name: string): Promise<Uint8Array | undefined> {
    return this.data.get(name);
  }

  async put(name: string, value: Uint8Array): Promise<void> {
    this.data.set(name, value.slice());
  }
}
