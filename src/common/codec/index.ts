export { type Codec, type CodecDefinition, createCodec, type FieldCodec } from './codec.js';
export type { CodecErrorContext, CodecErrorFactory, CodecErrorKind } from './errors.js';
export { ByteReader } from './reader.js';
export { ByteWriter } from './writer.js';
