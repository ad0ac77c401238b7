/**
 * The node's libp2p identity: an Ed25519 key in libp2p's protobuf key encoding, in a file only the
 * owner can read (mode 0600). Created atomically on first start; a file readable by group or
 * others is refused, as ssh refuses a private key with loose permissions.
 */
import type { Stats } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { NetworkError } from './errors.js';

const MAX_KEY_FILE_BYTES = 4096;

export async function loadOrCreateIdentity(path: string): Promise<{ key: PrivateKey; created: boolean }> {
  let info: Stats | undefined;
  try {
    info = await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new NetworkError('IDENTITY_IO', 'cannot stat the identity key file', { path }, { cause: err });
    }
  }
  if (info === undefined) return { key: await createIdentity(path), created: true };
  if (!info.isFile()) throw new NetworkError('IDENTITY_INVALID', 'identity key path is not a file', { path });
  if ((info.mode & 0o077) !== 0) {
    throw new NetworkError(
      'IDENTITY_INSECURE',
      `identity key file ${path} is accessible by group or others (mode ${(info.mode & 0o777).toString(8)}); chmod 600 it`,
      { path, mode: info.mode & 0o777 },
    );
  }
  if (info.size > MAX_KEY_FILE_BYTES) {
    throw new NetworkError('IDENTITY_INVALID', 'identity key file is too large', { path, size: info.size });
  }
  let raw: Uint8Array;
  try {
    raw = await readFile(path);
  } catch (err) {
    throw new NetworkError('IDENTITY_IO', 'cannot read the identity key file', { path }, { cause: err });
  }
  try {
    const key = privateKeyFromProtobuf(raw);
    if (key.type !== 'Ed25519') throw new Error(`key type ${key.type}`);
    return { key, created: false };
  } catch (err) {
    throw new NetworkError(
      'IDENTITY_INVALID',
      'identity key file does not hold an Ed25519 libp2p key',
      { path },
      {
        cause: err,
      },
    );
  }
}

async function createIdentity(path: string): Promise<PrivateKey> {
  const key = await generateKeyPair('Ed25519');
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(privateKeyToProtobuf(key));
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new NetworkError('IDENTITY_IO', 'cannot write the identity key file', { path }, { cause: err });
  }
  return key;
}
