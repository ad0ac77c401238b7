import { ParaloomError } from '../common/index.js';

export type NetworkErrorCode =
  | 'MESSAGE_TOO_LARGE'
  | 'MESSAGE_TRUNCATED'
  | 'MESSAGE_TRAILING_BYTES'
  | 'MESSAGE_UNKNOWN_VERSION'
  | 'MESSAGE_UNKNOWN_TYPE'
  | 'MESSAGE_NOT_ALLOWED'
  | 'MESSAGE_INVALID'
  | 'FRAME_TOO_LARGE'
  | 'FRAME_INVALID'
  | 'STREAM_ENDED'
  | 'TIMEOUT'
  | 'REQUEST_FAILED'
  | 'REMOTE_ERROR'
  | 'NO_HANDLER'
  | 'DIAL_FAILED'
  | 'NOT_STARTED'
  | 'CONFIG_INVALID'
  | 'IDENTITY_INSECURE'
  | 'IDENTITY_INVALID'
  | 'IDENTITY_IO';

export class NetworkError extends ParaloomError<NetworkErrorCode> {}
