import { Metadata, status } from '@grpc/grpc-js';
import {
  createServiceError,
  ERROR_DETAIL_TYPE_URL,
  ErrorCode,
  ErrorDetail,
  grpcStatusOf,
  readErrorDetail,
  RpcStatus,
  STATUS_DETAILS_METADATA_KEY,
} from '../src/index.js';

const KNOWN_CODES = Object.values(ErrorCode).filter((value): value is ErrorCode => typeof value === 'number' && value !== ErrorCode.UNRECOGNIZED);

describe('typed errors', () => {
  it('maps every error code to the gRPC status documented in errors.proto', () => {
    expect(grpcStatusOf(ErrorCode.ERROR_CODE_INCOMPATIBLE_PROTOCOL_VERSION)).toBe(status.FAILED_PRECONDITION);
    expect(grpcStatusOf(ErrorCode.ERROR_CODE_CERTIFICATE_NOT_FOUND)).toBe(status.NOT_FOUND);
    expect(grpcStatusOf(ErrorCode.ERROR_CODE_SIGNATURE_INVALID)).toBe(status.INVALID_ARGUMENT);
    expect(grpcStatusOf(ErrorCode.ERROR_CODE_NOT_READY)).toBe(status.UNAVAILABLE);
    for (const code of KNOWN_CODES) expect(Object.values(status)).toContain(grpcStatusOf(code));
    // A code from a newer peer that this version does not know.
    expect(grpcStatusOf(999 as ErrorCode)).toBe(status.UNKNOWN);
  });

  it('builds a grpc-js error whose trailer is a google.rpc.Status carrying the ErrorDetail', () => {
    const error = createServiceError({
      code: ErrorCode.ERROR_CODE_UNKNOWN_EPOCH,
      message: 'epoch 9 is unknown',
      metadata: { epoch: '9' },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(status.NOT_FOUND);
    expect(error.details).toBe('epoch 9 is unknown');
    expect(error.message).toBe('ERROR_CODE_UNKNOWN_EPOCH: epoch 9 is unknown');
    const [raw] = error.metadata?.get(STATUS_DETAILS_METADATA_KEY) ?? [];
    expect(raw).toBeInstanceOf(Buffer);
    const rpcStatus = RpcStatus.decode(raw as Buffer);
    expect(rpcStatus.code).toBe(status.NOT_FOUND);
    expect(rpcStatus.message).toBe('epoch 9 is unknown');
    expect(rpcStatus.details.map((detail) => detail.typeUrl)).toEqual([ERROR_DETAIL_TYPE_URL]);
    expect(ErrorDetail.decode(rpcStatus.details[0]!.value)).toEqual({
      code: ErrorCode.ERROR_CODE_UNKNOWN_EPOCH,
      message: 'epoch 9 is unknown',
      metadata: { epoch: '9' },
    });
    expect(readErrorDetail(error)).toEqual(ErrorDetail.decode(rpcStatus.details[0]!.value));
  });

  it('keeps other trailers it is given', () => {
    const trailers = new Metadata();
    trailers.set('mithril-node-version', '0.3.1');
    const error = createServiceError({ code: ErrorCode.ERROR_CODE_RATE_LIMITED, message: 'slow down' }, trailers);
    expect(error.metadata?.get('mithril-node-version')).toEqual(['0.3.1']);
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
  });

  it('reads nothing from errors without details, or with foreign or corrupt details', () => {
    expect(readErrorDetail({})).toBeUndefined();
    expect(readErrorDetail({ metadata: new Metadata() })).toBeUndefined();
    const corrupt = new Metadata();
    corrupt.set(STATUS_DETAILS_METADATA_KEY, Buffer.from([0x1a, 0x05, 0x01]));
    expect(readErrorDetail({ metadata: corrupt })).toBeUndefined();
    const foreign = new Metadata();
    const other = RpcStatus.encode({ code: 5, message: 'x', details: [{ typeUrl: 'type.googleapis.com/google.rpc.ErrorInfo', value: Buffer.from([]) }] });
    foreign.set(STATUS_DETAILS_METADATA_KEY, Buffer.from(other.finish()));
    expect(readErrorDetail({ metadata: foreign })).toBeUndefined();
  });
});
