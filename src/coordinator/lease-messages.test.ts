import { describe, expect, it } from 'vitest';
import { CoordinatorError } from './errors.js';
import {
  decodeLeaseAnswer,
  decodeLeaseRequest,
  type LeaseAnswer,
  type LeaseRequest,
  leaseAnswerBody,
  leaseRequestBody,
} from './lease-messages.js';

const signature = new Uint8Array(64).fill(7);
const answer: LeaseAnswer = {
  granted: true,
  term: 5n,
  seq: 9n,
  highestTerm: 6n,
  granter: new Uint8Array(32).fill(1),
  candidate: new Uint8Array(32).fill(2),
  candidacy: -1,
};
const request: LeaseRequest = {
  term: 3n,
  seq: 1n,
  candidate: new Uint8Array(32).fill(4),
  priority: 2,
  snapshot: { anchoredHeight: 12n, relayed: [['ab', 'sig']], successors: [['cd', 1]] },
};

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    if (err instanceof CoordinatorError) return err.code;
    throw err;
  }
  return 'NO_ERROR';
}

describe('lease messages', () => {
  it('round-trip an answer and a request, returning the signed body and the signature', () => {
    const body = leaseAnswerBody(answer);
    expect(body.length).toBe(94);
    expect(Array.from(body.subarray(body.length - 4))).toEqual([0xff, 0xff, 0xff, 0xff]);
    const decoded = decodeLeaseAnswer(Uint8Array.from([...body, ...signature]));
    expect(decoded).toEqual({ answer, body, signature });
    const requestBody = leaseRequestBody(request);
    expect(decodeLeaseRequest(Uint8Array.from([...requestBody, ...signature]))).toEqual({
      request,
      body: requestBody,
      signature,
    });
  });

  it('refuse a short, padded or out-of-range message with MESSAGE_MALFORMED', () => {
    const bytes = Uint8Array.from([...leaseAnswerBody(answer), ...signature]);
    expect(codeOf(() => decodeLeaseAnswer(bytes.subarray(0, bytes.length - 1)))).toBe('MESSAGE_MALFORMED');
    expect(codeOf(() => decodeLeaseAnswer(Uint8Array.from([...bytes, 0])))).toBe('MESSAGE_MALFORMED');
    const granted = bytes.slice();
    granted[1] = 2;
    expect(codeOf(() => decodeLeaseAnswer(granted))).toBe('MESSAGE_MALFORMED');
    const version = bytes.slice();
    version[0] = 9;
    expect(codeOf(() => decodeLeaseAnswer(version))).toBe('MESSAGE_MALFORMED');
    expect(codeOf(() => leaseAnswerBody({ ...answer, granter: new Uint8Array(31) }))).toBe(
      'MESSAGE_MALFORMED',
    );
    expect(codeOf(() => leaseRequestBody({ ...request, priority: 0x10000 }))).toBe('MESSAGE_MALFORMED');
  });

  it('check the snapshot length against its cap before reading it', () => {
    const body = leaseRequestBody(request);
    // The u32 snapshot length sits after version, term, seq, candidate and priority.
    const at = 1 + 8 + 8 + 32 + 2;
    const huge = Uint8Array.from([...body, ...signature]);
    new DataView(huge.buffer).setUint32(at, 0xffff_ffff, true);
    expect(codeOf(() => decodeLeaseRequest(huge))).toBe('MESSAGE_MALFORMED');
  });
});
