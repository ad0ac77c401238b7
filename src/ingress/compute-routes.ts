import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ParaloomError } from '../common/index.js';
// Types only: the compute module (binaryen) is not loaded by the ingress.
import type { ComputeErrorCode } from '../compute/index.js';
import { HttpError } from './errors.js';

/**
 * What the compute routes need from the node (src/compute's ComputeService). Its refusals are
 * compute errors with stable codes, which these routes answer with HTTP statuses.
 */
export interface ComputeIngressBackend {
  /** Largest encoded job accepted (the compute module's MAX_JOB_BYTES). */
  readonly maxJobBytes: number;
  submitJob(bytes: Uint8Array): Promise<{ id: string; status: string }>;
  jobStatus(idHex: string): Promise<Record<string, unknown> | undefined>;
  executors(): Promise<Record<string, unknown>>;
  /** Whether an error is the compute module's own (a refusal with a ComputeErrorCode). */
  isComputeError(err: unknown): err is ParaloomError<ComputeErrorCode>;
}

/** The HTTP status of each compute refusal: the client's fault is 4xx, the node's state 503. */
const COMPUTE_STATUS: Partial<Record<ComputeErrorCode, number>> = {
  JOB_KNOWN: 409,
  OWNERSHIP_TAG_REUSED: 409,
  VALIDATORS_UNKNOWN: 503,
  POOL_FULL: 503,
  NOT_STARTED: 503,
  JOB_LIMIT_EXCEEDED: 413,
};

/** A compute refusal as an HTTP answer (400 unless listed); anything else is left as it is. */
function computeHttpError(backend: ComputeIngressBackend, err: unknown): unknown {
  if (!backend.isComputeError(err)) return err;
  return new HttpError(COMPUTE_STATUS[err.code] ?? 400, err.code, err.message);
}

type Json = (res: ServerResponse, status: number, body: unknown) => void;

/**
 * `POST /v1/compute/jobs` (body: the encoded job, application/octet-stream), `GET
 * /v1/compute/jobs/<id>` (64 hex digits), `GET /v1/compute/executors`. See docs/operations.md.
 */
export async function computeRoute(
  backend: ComputeIngressBackend | undefined,
  req: IncomingMessage,
  url: URL,
  res: ServerResponse,
  json: Json,
): Promise<void> {
  if (!backend) throw new HttpError(404, 'NOT_FOUND', 'this node does not serve compute');
  try {
    return await route(backend, req, url, res, json);
  } catch (err) {
    throw computeHttpError(backend, err);
  }
}

async function route(
  backend: ComputeIngressBackend,
  req: IncomingMessage,
  url: URL,
  res: ServerResponse,
  json: Json,
): Promise<void> {
  if (url.pathname === '/v1/compute/jobs') {
    if (req.method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'submit jobs with POST');
    const body = await readBinary(req, backend.maxJobBytes);
    if (body.length === 0) throw new HttpError(400, 'JOB_MALFORMED', 'the body must be the encoded job');
    const r = await backend.submitJob(body);
    return json(res, 202, r);
  }
  if (req.method !== 'GET')
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} is not allowed here`);
  if (url.pathname === '/v1/compute/executors') return json(res, 200, await backend.executors());
  const m = /^\/v1\/compute\/jobs\/([0-9a-f]{64})$/.exec(url.pathname);
  if (!m) throw new HttpError(404, 'NOT_FOUND', `no route ${url.pathname}`);
  const status = await backend.jobStatus(m[1]!);
  if (!status) throw new HttpError(404, 'JOB_NOT_FOUND', 'no job with this id is pooled or on chain');
  return json(res, 200, status);
}

function readBinary(req: IncomingMessage, cap: number): Promise<Uint8Array> {
  const tooLarge = () => new HttpError(413, 'BODY_TOO_LARGE', `a job is at most ${cap} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > cap) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.on('error', reject);
  });
}
