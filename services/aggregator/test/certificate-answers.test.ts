/** The certificates the gRPC API sends, kept by hash within a byte budget. */
import { Certificate as CertificateMessage, certificateFromProto, certificateToProto } from '@mithril-ts/proto';
import { certificateToJson } from '@mithril-ts/protocol';
import { buildChain } from '@mithril-ts/testkit';
import { CertificateAnswers } from '../src/certificate-answers.js';
import type { CertificateRecord } from '../src/store/index.js';

const chain = buildChain({ lastEpoch: 4n });
const recordOf = (index: number, json = certificateToJson(chain.certificates[index]!)): CertificateRecord => {
  const certificate = chain.certificates[index]!;
  return { hash: certificate.hash, previousHash: certificate.previousHash, epoch: certificate.epoch, signedEntityType: certificate.signedEntityType, json, sealedAt: new Date(0), createdAt: new Date(0) };
};

describe('CertificateAnswers', () => {
  it('builds a stored certificate once, the same message as certificateToProto, then serves it by hash', () => {
    const answers = new CertificateAnswers();
    const message = answers.ofRecord(recordOf(2));
    expect(CertificateMessage.encode(message).finish()).toEqual(CertificateMessage.encode(certificateToProto(chain.certificates[2]!)).finish());
    expect(certificateFromProto(message).hash).toBe(chain.certificates[2]!.hash);
    // Kept: a record whose JSON would no longer decode is not read again.
    expect(answers.ofRecord(recordOf(2, '{"broken":'))).toBe(message);
    expect(() => answers.ofRecord(recordOf(3, '{"broken":'))).toThrow();
    expect(answers.of(chain.certificates[2]!)).toBe(message);
  });

  it('keeps within its byte budget, dropping the least recently used first', () => {
    const [a, b, c] = [chain.certificates.at(-1)!, chain.certificates.at(-2)!, chain.certificates.at(-3)!];
    const cost = (certificate: typeof a) => {
      const probe = new CertificateAnswers();
      probe.of(certificate);
      return probe.bytes;
    };
    // Room for a with b or with c, not for all three.
    const answers = new CertificateAnswers(cost(a) + Math.max(cost(b), cost(c)));
    const first = answers.of(a);
    answers.of(b);
    expect(answers.of(a)).toBe(first); // a is now the most recent
    answers.of(c); // over budget: b goes
    expect(answers.size).toBe(2);
    expect(answers.bytes).toBeLessThanOrEqual(answers.maxBytes);
    expect(answers.of(a)).toBe(first);
    expect(answers.ofRecord(recordOf(chain.certificates.length - 2))).not.toBe(undefined);
    // A certificate larger than the whole budget is answered, not kept.
    const tiny = new CertificateAnswers(10);
    expect(tiny.of(a).hash).toBe(a.hash);
    expect(tiny.size).toBe(0);
  });
});
