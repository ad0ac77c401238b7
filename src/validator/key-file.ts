/**
 * Validator key files in the Solana CLI's format (a JSON array of the 64 keypair bytes), so the
 * same file works with `solana` and `solana-keygen`. Created with mode 0600 atomically (temp file,
 * fsync, rename); a file readable by group or others is refused, as ssh refuses such a private key:
 * the stake behind it is slashable.
 */
import { chmod, link, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ValidatorError } from './errors.js';
import { keypairFromSecretKey, type ValidatorKeypair } from './keypair.js';

const MAX_KEY_FILE_BYTES = 4096;

export async function readKeypairFile(path: string): Promise<ValidatorKeypair> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ValidatorError(
        'KEY_FILE_NOT_FOUND',
        `validator key file ${path} does not exist; create one with \`paraloom validator keygen\``,
        { path },
      );
    }
    throw new ValidatorError(
      'KEY_FILE_IO',
      `cannot stat validator key file ${path}`,
      { path },
      { cause: err },
    );
  }
  if (!info.isFile()) throw new ValidatorError('KEY_FILE_INVALID', `${path} is not a file`, { path });
  const mode = info.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ValidatorError(
      'KEY_FILE_INSECURE',
      `validator key file ${path} is accessible by group or others (mode ${mode.toString(8)}); chmod 600 it`,
      { path, mode: mode.toString(8) },
    );
  }
  if (info.size > MAX_KEY_FILE_BYTES) {
    throw new ValidatorError('KEY_FILE_INVALID', `${path} is too large for a keypair file`, {
      path,
      size: info.size,
    });
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ValidatorError(
      'KEY_FILE_IO',
      `cannot read validator key file ${path}`,
      { path },
      { cause: err },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ValidatorError('KEY_FILE_INVALID', `${path} is not JSON`, { path }, { cause: err });
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 64 ||
    !parsed.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)
  ) {
    throw new ValidatorError('KEY_FILE_INVALID', `${path} is not a JSON array of 64 bytes (Solana keypair)`, {
      path,
    });
  }
  try {
    return keypairFromSecretKey(Uint8Array.from(parsed as number[]));
  } catch (err) {
    if (err instanceof ValidatorError) {
      throw new ValidatorError(err.code, `${path}: ${err.message}`, { path }, { cause: err });
    }
    throw err;
  }
}

/** Writes the keypair with mode 0600 (directory created 0700); refuses an existing file unless `force`. */
export async function writeKeypairFile(
  path: string,
  keypair: ValidatorKeypair,
  options: { force?: boolean } = {},
): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify([...keypair.secretKey]));
      await fh.sync();
    } finally {
      await fh.close();
    }
    // The umask cannot widen 0600, but a pre-set default ACL or odd umask handling must not either.
    await chmod(tmp, 0o600);
    if (options.force) {
      await rename(tmp, path);
    } else {
      // link() fails with EEXIST atomically: no window in which another key could be replaced.
      await link(tmp, path);
      await unlink(tmp);
    }
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ValidatorError('KEY_FILE_EXISTS', `${path} exists; refusing to overwrite a key (--force)`, {
        path,
      });
    }
    throw new ValidatorError(
      'KEY_FILE_IO',
      `cannot write validator key file ${path}`,
      { path },
      { cause: err },
    );
  }
}
