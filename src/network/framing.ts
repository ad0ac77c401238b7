/**
 * Length-prefixed framing for request-response streams (unsigned varint length, then the
 * message). Reads are bounded twice: the announced length is checked against the cap before any
 * data is buffered (it-length-prefixed's maxDataLength), and the whole read has a deadline.
 */
import type { Stream } from '@libp2p/interface';
import * as lp from 'it-length-prefixed';
import { NetworkError } from './errors.js';

/** Reads exactly one frame of at most `maxBytes`; the stream is aborted on any failure. */
export async function readFrame(stream: Stream, maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new NetworkError('TIMEOUT', 'no complete frame before the deadline', { timeoutMs })),
      timeoutMs,
    );
  });
  const decoder = lp.decode(stream, { maxDataLength: maxBytes })[Symbol.asyncIterator]();
  try {
    const next = await Promise.race([decoder.next(), deadline]);
    if (next.done) throw new NetworkError('STREAM_ENDED', 'stream ended before a frame arrived');
    return next.value.subarray();
  } catch (err) {
    const wrapped = wrapFrameError(err, maxBytes);
    stream.abort(wrapped);
    throw wrapped;
  } finally {
    clearTimeout(timer);
  }
}

/** Writes one frame, respecting back-pressure. */
export async function writeFrame(stream: Stream, data: Uint8Array): Promise<void> {
  const frame = lp.encode.single(data);
  if (!stream.send(frame)) await stream.onDrain();
}

function wrapFrameError(err: unknown, maxBytes: number): NetworkError {
  if (err instanceof NetworkError) return err;
  const name = (err as { name?: string }).name;
  if (name === 'InvalidDataLengthError') {
    return new NetworkError(
      'FRAME_TOO_LARGE',
      'frame announced more bytes than allowed',
      { maxBytes },
      { cause: err },
    );
  }
  if (name === 'InvalidDataLengthLengthError' || name === 'InvalidMessageLengthError') {
    return new NetworkError('FRAME_INVALID', 'malformed frame length', {}, { cause: err });
  }
  if (name === 'UnexpectedEOFError') {
    return new NetworkError('STREAM_ENDED', 'stream ended inside a frame', {}, { cause: err });
  }
  return new NetworkError('REQUEST_FAILED', 'stream read failed', {}, { cause: err });
}
