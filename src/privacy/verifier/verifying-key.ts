import { concatBytes } from '../../common/index.js';
import { assertCurveReady, type mcl } from '../curve/mcl.js';
import {
  g1FromChain,
  g1FromCoordinates,
  g1ToChain,
  g2FromChain,
  g2FromCoordinates,
  g2ToChain,
} from '../curve/points.js';
import { PrivacyError } from '../errors.js';

/** snarkjs' verification_key.json (Groth16, bn128). */
export interface SnarkjsVerifyingKey {
  protocol: string;
  curve: string;
  nPublic: number;
  vk_alpha_1: readonly string[];
  vk_beta_2: readonly (readonly string[])[];
  vk_gamma_2: readonly (readonly string[])[];
  vk_delta_2: readonly (readonly string[])[];
  IC: readonly (readonly string[])[];
}

function dec(v: string | undefined, role: string): bigint {
  if (typeof v !== 'string' || !/^(0|[1-9][0-9]{0,77})$/.test(v)) {
    throw new PrivacyError('VKEY_INVALID', `${role}: not a decimal coordinate`, { point: role });
  }
  return BigInt(v);
}

function g1(p: readonly string[] | undefined, role: string): mcl.G1 {
  if (p?.length !== 3 || p[2] !== '1') throw new PrivacyError('VKEY_INVALID', `${role}: not affine`);
  try {
    return g1FromCoordinates(dec(p[0], role), dec(p[1], role), role);
  } catch (e) {
    throw new PrivacyError('VKEY_INVALID', `${role}: invalid point`, { point: role }, { cause: e });
  }
}

function g2(p: readonly (readonly string[])[] | undefined, role: string): mcl.G2 {
  if (p?.length !== 3 || p[2]?.[0] !== '1' || p[2]?.[1] !== '0') {
    throw new PrivacyError('VKEY_INVALID', `${role}: not affine`);
  }
  const x = p[0];
  const y = p[1];
  if (x?.length !== 2 || y?.length !== 2) throw new PrivacyError('VKEY_INVALID', `${role}: malformed`);
  try {
    return g2FromCoordinates([dec(x[0], role), dec(x[1], role)], [dec(y[0], role), dec(y[1], role)], role);
  } catch (e) {
    throw new PrivacyError('VKEY_INVALID', `${role}: invalid point`, { point: role }, { cause: e });
  }
}

/**
 * A parsed, checked Groth16 verifying key. Refuses gamma == delta: that is the key of a circuit
 * whose phase 2 had no contribution, with which anyone can forge proofs.
 */
export class VerifyingKey {
  private constructor(
    readonly alpha: mcl.G1,
    readonly beta: mcl.G2,
    readonly gamma: mcl.G2,
    readonly delta: mcl.G2,
    readonly ic: readonly mcl.G1[],
  ) {}

  get publicInputCount(): number {
    return this.ic.length - 1;
  }

  static fromSnarkjs(json: SnarkjsVerifyingKey): VerifyingKey {
    assertCurveReady();
    if (json.protocol !== 'groth16' || json.curve !== 'bn128') {
      throw new PrivacyError('VKEY_INVALID', 'only groth16 over bn128 is supported', {
        protocol: json.protocol,
        curve: json.curve,
      });
    }
    if (!Array.isArray(json.IC) || json.IC.length !== json.nPublic + 1 || json.IC.length > 64) {
      throw new PrivacyError('VKEY_INVALID', 'IC length must be nPublic + 1', { nPublic: json.nPublic });
    }
    const vk = new VerifyingKey(
      g1(json.vk_alpha_1, 'vk.alpha'),
      g2(json.vk_beta_2, 'vk.beta'),
      g2(json.vk_gamma_2, 'vk.gamma'),
      g2(json.vk_delta_2, 'vk.delta'),
      json.IC.map((p, i) => g1(p, `vk.IC[${i}]`)),
    );
    return vk.withContribution();
  }

  /** Inverse of toChainBytes, with every point checked (curve, subgroup) as fromSnarkjs does. */
  static fromChainBytes(bytes: Uint8Array): VerifyingKey {
    assertCurveReady();
    const fixed = 64 + 3 * 128 + 4;
    if (bytes.length < fixed) throw new PrivacyError('VKEY_INVALID', 'chain verifying key is too short');
    const count = new DataView(bytes.buffer, bytes.byteOffset + fixed - 4, 4).getUint32(0, true);
    if (count < 1 || count > 64 || bytes.length !== fixed + 64 * count) {
      throw new PrivacyError('VKEY_INVALID', 'chain verifying key has a bad IC count or length', { count });
    }
    const point = <T>(decode: () => T, role: string): T => {
      try {
        return decode();
      } catch (e) {
        throw new PrivacyError('VKEY_INVALID', `${role}: invalid point`, { point: role }, { cause: e });
      }
    };
    const g2At = (offset: number, role: string) =>
      point(() => g2FromChain(bytes.subarray(offset, offset + 128), role), role);
    const vk = new VerifyingKey(
      point(() => g1FromChain(bytes.subarray(0, 64), 'vk.alpha'), 'vk.alpha'),
      g2At(64, 'vk.beta'),
      g2At(192, 'vk.gamma'),
      g2At(320, 'vk.delta'),
      Array.from({ length: count }, (_, i) =>
        point(
          () => g1FromChain(bytes.subarray(fixed + 64 * i, fixed + 64 * i + 64), `vk.IC[${i}]`),
          `vk.IC[${i}]`,
        ),
      ),
    );
    return vk.withContribution();
  }

  private withContribution(): VerifyingKey {
    if (this.gamma.isEqual(this.delta)) {
      throw new PrivacyError(
        'VKEY_NO_CONTRIBUTION',
        'verifying key has gamma == delta (no phase-2 contribution)',
      );
    }
    return this;
  }

  /**
   * On-chain VerifyingKey body: alpha (64) | beta (128) | gamma (128) | delta (128) | u32 LE count
   * of IC points | IC points (64 each); points uncompressed big-endian, G2 as x.c1 x.c0 y.c1 y.c0.
   */
  toChainBytes(): Uint8Array {
    const count = new Uint8Array(4);
    new DataView(count.buffer).setUint32(0, this.ic.length, true);
    return concatBytes(
      g1ToChain(this.alpha),
      g2ToChain(this.beta),
      g2ToChain(this.gamma),
      g2ToChain(this.delta),
      count,
      ...this.ic.map(g1ToChain),
    );
  }
}
