import { createHash, randomBytes } from 'node:crypto';

/**
 * Entropy handed to snarkjs' `zkey contribute`: 64 bytes from the OS CSPRNG hashed together with
 * whatever the contributor typed. The typed text can only add entropy: with it empty, or known to
 * an attacker, the CSPRNG bytes alone still make the result unpredictable. (snarkjs then mixes in
 * 64 more CSPRNG bytes of its own.)
 */
export function mixEntropy(typed = ''): string {
  return createHash('sha512')
    .update('paraloom-ceremony/1 entropy\n')
    .update(randomBytes(64))
    .update(createHash('sha512').update(typed, 'utf8').digest())
    .digest('hex');
}
