import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, fsyncSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { WalletError } from './errors.js';

/** Writes `data` to `path` with mode 0600, atomically (temp file, fsync, rename). */
export function writeSecretFile(path: string, data: string): void {
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Refuses a secret file that group or others can read: a spending key must stay the owner's. */
export function assertPrivate(path: string): void {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (e) {
    throw new WalletError('WALLET_FILE_MISSING', `no such file: ${path}`, { path }, { cause: e });
  }
  if ((mode & 0o077) !== 0) {
    throw new WalletError(
      'WALLET_FILE_INSECURE',
      `${path} is readable by others (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
      { path, mode: mode & 0o777 },
    );
  }
}
