/**
 * A set of key operations that is written atomically. Stores stage their changes into one batch
 * (a block's tree changes, nullifiers, block, QC and deposit cursor), and `Database.write` commits
 * it as one RocksDB write batch. `onCommit` hooks run only after the batch is durable.
 */
export type BatchOp =
  | { readonly type: 'put'; readonly key: Buffer; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Buffer }
  | { readonly type: 'deferred'; readonly key: Buffer; readonly value: () => Uint8Array };

export class WriteBatch {
  readonly ops: BatchOp[] = [];
  private readonly hooks: (() => void)[] = [];

  put(key: Buffer, value: Uint8Array): this {
    this.ops.push({ type: 'put', key, value });
    return this;
  }

  /**
   * A put whose value is computed when the batch is written, in commit order (for counters that
   * concurrent writers update: the value reflects every batch committed before this one).
   */
  deferredPut(key: Buffer, value: () => Uint8Array): this {
    this.ops.push({ type: 'deferred', key, value });
    return this;
  }

  del(key: Buffer): this {
    this.ops.push({ type: 'del', key });
    return this;
  }

  /** Runs after the batch is written (and synced, if it was a synced write). */
  onCommit(hook: () => void): this {
    this.hooks.push(hook);
    return this;
  }

  get length(): number {
    return this.ops.length;
  }

  /** @internal Called by Database after a successful write. */
  runCommitHooks(): void {
    for (const hook of this.hooks) hook();
  }
}
