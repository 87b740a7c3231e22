export { CodecError, type CodecErrorCode } from './errors.js';
export { DEFAULT_MAX_BYTES } from './limits.js';
export { toHex, fromHex, type HexDecodeOptions } from './hex.js';
export { parseJson, stringifyJson, DEFAULT_MAX_JSON_DEPTH, type JsonParseOptions } from './json.js';
export {
  encodeJsonHex,
  decodeJsonHex,
  decodeJsonHexOrBytesHex,
  decodeBytesHexOrJsonHex,
  bytesFromJsonArray,
  bytesToJsonArray,
  type JsonHexDecodeOptions,
  type JsonHexFallbackOptions,
  type BytesHexFallbackOptions,
  type JsonOrBytes,
} from './json-hex.js';
export { encodeBech32, decodeBech32, DEFAULT_BECH32_MAX_LENGTH, type Bech32Decoded, type Bech32DecodeOptions, type Bech32EncodeOptions } from './bech32.js';
export { encodeCbor, decodeCbor, cborBytes, unwrapCborBytes, type CborDecodeOptions } from './cbor.js';
export {
  writeTextEnvelope,
  readTextEnvelope,
  writeBytesTextEnvelope,
  readBytesTextEnvelope,
  type TextEnvelope,
  type BytesTextEnvelope,
  type ReadTextEnvelopeOptions,
} from './text-envelope.js';
export { createVersionedCodec, type Encoding, type DecodedWith, type VersionedCodec, type VersionedCodecConfig } from './versioned-codec.js';
