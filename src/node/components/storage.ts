import { mkdir } from 'node:fs/promises';
import { recoverInterruptedInstall } from '../../snapshot/index.js';
import { NodeStorage, StorageError } from '../../storage/index.js';
import type { Component } from '../component.js';
import { NodeError } from '../errors.js';
import type { Wiring } from './wiring.js';

export interface StorageComponentOptions extends Omit<Wiring, 'config'> {
  readonly dataDir: string;
  readonly dbDir: string;
}

/**
 * The node's RocksDB. Started first: its directory lock is what refuses a second node on the same
 * data directory, before that node binds any port or touches the network identity.
 */
export class StorageComponent implements Component {
  readonly name = 'storage';
  private opened: NodeStorage | undefined;
  private unregister: (() => void) | undefined;

  constructor(private readonly options: StorageComponentOptions) {}

  /** The open store, for components that depend on `storage`. */
  get storage(): NodeStorage {
    if (!this.opened) throw new NodeError('INVALID_STATE', 'storage is not started');
    return this.opened;
  }

  async start(): Promise<void> {
    const { dataDir, dbDir, registry, readiness, logger } = this.options;
    try {
      await mkdir(dataDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new NodeError(
        'DATA_DIR_UNUSABLE',
        `cannot create data directory ${dataDir}`,
        { dataDir },
        { cause: err },
      );
    }
    try {
      this.opened = await NodeStorage.open(dbDir, { registry, logger });
    } catch (err) {
      if (err instanceof StorageError && err.code === 'DB_LOCKED') {
        throw new NodeError(
          'DATA_DIR_LOCKED',
          `data directory ${dataDir} is in use by another paraloom node (its database lock is held); stop that node or give this one another node.data_dir`,
          { dataDir },
          { cause: err },
        );
      }
      throw err;
    }
    // A snapshot install a crash interrupted: start over from an empty directory (and join again).
    if (await recoverInterruptedInstall(this.opened)) {
      logger.warn({ dataDir }, 'an interrupted snapshot install was wiped');
      await this.opened.close();
      this.opened = await NodeStorage.open(dbDir, { registry, logger });
    }
    this.unregister = readiness.register('storage', () => {
      const open = this.opened?.db.isOpen ?? false;
      return { ok: open, detail: open ? 'open' : 'closed' };
    });
  }

  /**
   * Empties the database and reopens it (a far-behind validator about to install a verified
   * snapshot). Only before the ledger opens: nothing else holds the store yet.
   */
  async reset(): Promise<NodeStorage> {
    const { dbDir, registry, logger } = this.options;
    const old = this.storage;
    await old.clearAll();
    await old.close();
    this.opened = await NodeStorage.open(dbDir, { registry, logger });
    return this.opened;
  }

  async stop(): Promise<void> {
    this.unregister?.();
    // close() waits for queued writes: everything acknowledged is on disk before the lock is released.
    await this.opened?.close();
    this.opened = undefined;
  }
}
