import { WalletError } from './errors.js';

/** Where scripts, tests and services put the wallet passphrase (a TTY user is asked instead). */
export const PASSPHRASE_ENV = 'PARALOOM_WALLET_PASSPHRASE';

/** The passphrase from PARALOOM_WALLET_PASSPHRASE, or undefined when it is unset or empty. */
export function passphraseFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[PASSPHRASE_ENV];
  return value === undefined || value === '' ? undefined : value;
}

/** The environment's passphrase, or PASSPHRASE_REQUIRED: for callers that never ask a person. */
export function requirePassphrase(env: NodeJS.ProcessEnv = process.env): string {
  const value = passphraseFromEnv(env);
  if (value === undefined) {
    throw new WalletError('PASSPHRASE_REQUIRED', `set ${PASSPHRASE_ENV} or run on a terminal to be asked`);
  }
  return value;
}

/** Characters typed (or pasted) after the end of the line a prompt read: the next prompt's input. */
let typedAhead = '';

/**
 * One line typed on the terminal with echo off (raw mode, so no character reaches the screen or the
 * scrollback). Backspace edits; Ctrl-C and Ctrl-D abort with PASSPHRASE_REQUIRED. What follows the
 * line in the same chunk (a pasted second line) is kept for the next prompt.
 */
export function readHidden(prompt: string, input: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (!input.isTTY) {
    return Promise.reject(
      new WalletError('PASSPHRASE_REQUIRED', `no terminal to ask on: set ${PASSPHRASE_ENV}`),
    );
  }
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let line = '';
    const wasRaw = input.isRaw;
    const finish = (err: Error | undefined) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(line);
    };
    /** Consumes `text`; true once the line is complete (or aborted). */
    const consume = (text: string): boolean => {
      const chars = [...text];
      for (let i = 0; i < chars.length; i++) {
        const ch = chars[i]!;
        if (ch === '\r' || ch === '\n') {
          // A CRLF pair ends one line, not two.
          const rest = chars.slice(ch === '\r' && chars[i + 1] === '\n' ? i + 2 : i + 1).join('');
          typedAhead = rest;
          finish(undefined);
          return true;
        }
        if (ch === '\u0003' || ch === '\u0004') {
          typedAhead = '';
          finish(new WalletError('PASSPHRASE_REQUIRED', 'aborted at the prompt'));
          return true;
        }
        if (ch === '\u007f' || ch === '\b') line = [...line].slice(0, -1).join('');
        else if (ch >= ' ') line += ch;
      }
      return false;
    };
    const onData = (chunk: Buffer) => {
      consume(chunk.toString('utf8'));
    };
    input.setRawMode(true);
    input.on('data', onData);
    const ahead = typedAhead;
    typedAhead = '';
    if (!consume(ahead)) input.resume();
  });
}

/**
 * The passphrase for a command a person may run: PARALOOM_WALLET_PASSPHRASE if set, else asked on
 * the terminal (twice when `confirm`, for a new wallet: a typo there would lock the owner out).
 */
export async function askPassphrase(opts: { confirm?: boolean } = {}): Promise<string> {
  const fromEnv = passphraseFromEnv();
  if (fromEnv !== undefined) return fromEnv;
  const first = await readHidden(opts.confirm ? 'new wallet passphrase: ' : 'wallet passphrase: ');
  if (first.length === 0) {
    throw new WalletError('PASSPHRASE_INVALID', 'the wallet passphrase must not be empty', {
      reason: 'empty',
    });
  }
  if (opts.confirm) {
    const second = await readHidden('repeat the passphrase: ');
    if (second !== first) {
      throw new WalletError('PASSPHRASE_INVALID', 'the two passphrases differ; nothing was written', {
        reason: 'mismatch',
      });
    }
  }
  return first;
}
