/** The part of @nxtedition/rocksdb (an abstract-level 1 store, shipped without types) that we use. */
declare module '@nxtedition/rocksdb' {
  export interface RocksBatch {
    put(key: Buffer, value: Buffer | Uint8Array): this;
    del(key: Buffer): this;
    write(options?: { sync?: boolean }): Promise<void>;
    close(): Promise<void>;
    readonly length: number;
  }

  export interface RocksIterator extends AsyncIterable<[Buffer, Buffer]> {
    close(): Promise<void>;
  }

  export interface RocksIteratorOptions {
    gt?: Buffer;
    gte?: Buffer;
    lt?: Buffer;
    lte?: Buffer;
    reverse?: boolean;
    limit?: number;
  }

  export class RocksLevel {
    constructor(location: string, options?: { keyEncoding?: 'buffer'; valueEncoding?: 'buffer' });
    open(options?: { createIfMissing?: boolean; errorIfExists?: boolean; readOnly?: boolean }): Promise<void>;
    close(): Promise<void>;
    readonly status: 'opening' | 'open' | 'closing' | 'closed';
    getMany(keys: Buffer[]): Promise<(Buffer | undefined)[]>;
    /**
     * RocksDB MultiGet on the calling thread. (The binding answers null for a read aborted by its
     * `timeout` option; we never pass one, so a value is a Buffer or undefined.)
     */
    _getManySync(keys: Buffer[]): (Buffer | undefined)[];
    batch(): RocksBatch;
    batch(
      ops: ({ type: 'put'; key: Buffer; value: Buffer | Uint8Array } | { type: 'del'; key: Buffer })[],
      options?: { sync?: boolean },
    ): Promise<void>;
    iterator(options?: RocksIteratorOptions): RocksIterator;
  }
}
