import { status } from '@grpc/grpc-js';
import { ErrorCode, readErrorDetail } from '@mithril-ts/proto';
import { errorBehind, mapError, serviceErrorOf, type Logger, type ServiceErrorOptions } from '../src/index.js';

class DomainError extends Error {
  constructor(
    readonly code: 'GONE' | 'BROKEN',
    message: string,
  ) {
    super(message);
  }
}
class OtherError extends Error {}

const logged: { fields: unknown; message: string }[] = [];
const logger = { error: (fields: unknown, message: string) => logged.push({ fields, message }) } as unknown as Logger;

const options: ServiceErrorOptions = {
  rules: [
    mapError(DomainError, (error) =>
      error.code === 'GONE'
        ? { code: ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND, message: `gone: ${error.message}`, metadata: { reason: error.code } }
        : undefined,
    ),
    mapError(OtherError, ErrorCode.ERROR_CODE_MALFORMED_REQUEST),
    mapError(Error, () => ErrorCode.ERROR_CODE_RATE_LIMITED),
  ],
  logger,
};

beforeEach(() => {
  logged.length = 0;
});

describe('serviceErrorOf', () => {
  it("answers with the first row that answers: the row's detail, or its code with the error's message", () => {
    const gone = new DomainError('GONE', 'snapshot 1');
    const answer = serviceErrorOf(gone, 'GetSnapshot', options);
    expect(answer.code).toBe(status.NOT_FOUND);
    expect(readErrorDetail(answer)).toEqual({ code: ErrorCode.ERROR_CODE_ARTIFACT_NOT_FOUND, message: 'gone: snapshot 1', metadata: { reason: 'GONE' } });
    expect(errorBehind(answer)).toBe(gone);
    expect(readErrorDetail(serviceErrorOf(new OtherError('bad field'), 'GetSnapshot', options))).toEqual({
      code: ErrorCode.ERROR_CODE_MALFORMED_REQUEST,
      message: 'bad field',
      metadata: {},
    });
    // A row that gives undefined leaves the error to the next rows.
    expect(readErrorDetail(serviceErrorOf(new DomainError('BROKEN', 'x'), 'GetSnapshot', options))?.code).toBe(ErrorCode.ERROR_CODE_RATE_LIMITED);
    expect(logged).toEqual([]);
  });

  it('logs an error no row answers and answers UNSPECIFIED "internal error", or what the service says', () => {
    const strange = 'not even an Error';
    const answer = serviceErrorOf(strange, 'GetSnapshot', { rules: options.rules.slice(0, 2), logger });
    expect(answer.code).toBe(status.UNKNOWN);
    expect(readErrorDetail(answer)).toEqual({ code: ErrorCode.ERROR_CODE_UNSPECIFIED, message: 'internal error', metadata: {} });
    expect(errorBehind(answer)).toBe(strange);
    expect(logged).toEqual([{ fields: { err: strange, rpc: 'GetSnapshot' }, message: 'request failed unexpectedly' }]);

    const own = serviceErrorOf(new DomainError('BROKEN', 'disk'), 'CreateSnapshot', {
      rules: options.rules.slice(0, 2),
      logMessage: 'snapshotter request failed',
      unexpected: (_error, rpc) => ({ code: ErrorCode.ERROR_CODE_NOT_READY, message: `${rpc} could not complete, retry later`, metadata: { rpc } }),
    });
    expect(own.code).toBe(status.UNAVAILABLE);
    expect(readErrorDetail(own)).toEqual({
      code: ErrorCode.ERROR_CODE_NOT_READY,
      message: 'CreateSnapshot could not complete, retry later',
      metadata: { rpc: 'CreateSnapshot' },
    });
    expect(logged).toHaveLength(1); // no logger given: the use case logs it
  });

  it('leaves any other error as it is', () => {
    const error = new Error('made elsewhere');
    expect(errorBehind(error)).toBe(error);
    expect(errorBehind(undefined)).toBeUndefined();
  });
});
