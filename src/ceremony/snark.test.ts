import { describe, expect, it } from 'vitest';
import { parseContributions } from './snark.js';

// Lines exactly as snarkjs 0.7 `zkey verify` hands them to its logger (last contribution first).
const HASH_LINES = (c: string) => `\t\t${Array(4).fill(c.repeat(8)).join(' ')}`;
const hash = (c: string) => Array(4).fill(HASH_LINES(c)).join('\n');

describe('parseContributions', () => {
  it('reads names, hashes and beacon parameters and puts them in order', () => {
    const infos = [
      `Circuit Hash: \n${hash('0')}`,
      '-------------------------',
      `contribution #2 final beacon:\n${hash('b')}`,
      'Beacon generator: abab',
      'Beacon iterations Exp: 10',
      '-------------------------',
      `contribution #1 alice: the first:\n${hash('a')}`,
      '-------------------------',
      'ZKey Ok!',
    ];
    expect(parseContributions(infos)).toEqual([
      { number: 1, name: 'alice: the first', hash: 'a'.repeat(128) },
      { number: 2, name: 'final beacon', hash: 'b'.repeat(128), beacon: { hex: 'abab', iterationsExp: 10 } },
    ]);
  });

  it('reads an unnamed contribution', () => {
    expect(parseContributions([`contribution #1 :\n${hash('c')}`])).toEqual([
      { number: 1, name: '', hash: 'c'.repeat(128) },
    ]);
  });
});
