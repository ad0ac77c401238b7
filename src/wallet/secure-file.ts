import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { WalletError } from './errors.js';

/**
 * Writes `data` to `path` with mode 0600, atomically: a temp file in the same directory, fsync,
 * then rename (or, with `exclusive`, a hard link that fails if `path` exists, so two creators cannot
 * both win), then fsync of the directory so the new name survives a crash. A reader sees the old
 * file or the new one, never a torn one.
 */
export function writeSecretFile(
  path: string,
  data: string | Uint8Array,
  opts: { exclusive?: boolean } = {},
): void {
  const dir = dirname(path);
  const tmp = join(dir, `.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    // The umask may have narrowed the mode further; it can never have widened it, but be explicit.
    fchmodSync(fd, 0o600);
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (opts.exclusive) {
      try {
        linkSync(tmp, path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new WalletError('WALLET_FILE_EXISTS', `${path} already exists`, { path }, { cause: e });
        }
        throw e;
      }
      unlinkSync(tmp);
    } else {
      renameSync(tmp, path);
    }
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already gone (linked and unlinked, or renamed): nothing is left behind.
    }
    throw e;
  }
  fsyncDirectory(dir);
}

function fsyncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
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
