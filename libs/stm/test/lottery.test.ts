import { LotteryEvaluator } from '../src/lottery.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));

describe('lottery evaluation', () => {
  it('reproduces the reference ev = Blake2b-512("map" ‖ msgp ‖ index LE ‖ sigma)', () => {
    // Two-party golden scenario of the reference: msgp = 16 zero bytes ‖ Merkle root, sigma of the first signer.
    const msgp = fromHex('0000000000000000000000000000000038255f6b9d62fcc2beccaa1ae00ad407d65974c4d97a6f3871fd602daa79eb9f');
    const sigma = Uint8Array.from([
      149, 157, 201, 187, 140, 54, 0, 128, 209, 88, 16, 203, 61, 78, 77, 98, 161, 133, 58, 152, 29, 74, 217, 113, 64, 100, 10, 161, 186, 167, 133, 114, 211,
      153, 218, 56, 223, 84, 105, 242, 41, 54, 224, 170, 208, 185, 126, 83,
    ]);
    const evaluator = new LotteryEvaluator(msgp, sigma);
    expect(hex(evaluator.ev(0))).toBe(
      '3d5a33e40cf0a8eba9f781195fb35b2f32feaa81a80931d649c560e784e48627688850affbeede4becea41a83709b39eb3af7220c54e06c985afb1d9b85b85ad',
    );
    expect(hex(evaluator.ev(1))).toBe(
      'bc60b0d6e15e2d872d16f6ea480753c9611369419adb9280d29de994074f092d2c1df8d98e28bbca5ba847c00b6d8c5c9a4a99a84de2c42f792a45783b213959',
    );
  });
});
