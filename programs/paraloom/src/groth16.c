/* Groth16 verification with the alt_bn128 syscalls (big-endian; G2 as x.c1 | x.c0 | y.c1 | y.c0).
 * Checks e(-A, B) * e(alpha, beta) * e(vk_x, gamma) * e(C, delta) == 1, with
 * vk_x = IC[0] + sum(input_i * IC[i+1]). The proof's A arrives already negated, and the three points
 * arrive compressed (x only, big-endian, bit 7 of the first byte = "y is the larger root", bit 6 =
 * infinity), which is what lets a withdraw transaction carry a deep approval path. */
#include "paraloom.h"

/* q, the BN254 base field modulus, big-endian. */
static const u8 BASE_Q[32] = {0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45,
                              0xb6, 0x81, 0x81, 0x58, 0x5d, 0x97, 0x81, 0x6a, 0x91, 0x68, 0x71,
                              0xca, 0x8d, 0x3c, 0x20, 0x8c, 0x16, 0xd8, 0x7c, 0xfd, 0x47};

/* x < q once the two flag bits of its first byte are cleared (first_mask 0x3f), or as is (0xff). */
static bool base_is_canonical(const u8 *x, u8 first_mask) {
  for (int i = 0; i < 32; i++) {
    u8 b = i == 0 ? (u8)(x[0] & first_mask) : x[i];
    if (b < BASE_Q[i]) return true;
    if (b > BASE_Q[i]) return false;
  }
  return false;
}

/* One encoding per point: no infinity (an honest proof never has one, and the syscall would also take
 * all-zero bytes for it), coordinates below q. The syscall then refuses an x with no point on the curve;
 * the pairing syscall checks B's subgroup. */
static u64 decompress(const u8 *in, u64 len, u8 *out) {
  bool zero = true;
  for (u64 i = 0; i < len; i++) zero = zero && in[i] == 0;
  if (zero || (in[0] & 0x40) != 0) return ERR_PROOF_POINT_INVALID;
  if (!base_is_canonical(in, 0x3f)) return ERR_PROOF_POINT_INVALID;
  if (len == 64 && !base_is_canonical(in + 32, 0xff)) return ERR_PROOF_POINT_INVALID;
  u64 op = len == 32 ? ALT_BN128_G1_DECOMPRESS : ALT_BN128_G2_DECOMPRESS;
  return sol_alt_bn128_compression(op, in, len, out) == 0 ? 0 : ERR_PROOF_POINT_INVALID;
}

/* vk blob: alpha 64 | beta 128 | gamma 128 | delta 128 | u32 n | IC[n] (64 each) */
u64 groth16_verify(const VerifyingKeyAccount *vk, const u8 *proof, const u8 *inputs, u64 n_inputs) {
  if (vk->ic_count != n_inputs + 1) return ERR_VK_INVALID;
  const u8 *blob = vk->blob, *ic = vk->blob + VK_FIXED;
  u8 acc[64];
  memcpy(acc, ic, 64);
  u8 mul_in[96], add_in[128];
  for (u64 i = 0; i < n_inputs; i++) {
    const u8 *x = inputs + 32 * i;
    if (!field_is_canonical(x)) return ERR_NON_CANONICAL_FIELD;
    if (is_zero32(x)) continue; /* 0 * P adds nothing: skip the 3,840 CU multiplication */
    memcpy(mul_in, ic + 64 * (i + 1), 64);
    memcpy(mul_in + 64, x, 32);
    if (sol_alt_bn128_group_op(ALT_BN128_MUL, mul_in, 96, add_in + 64) != 0) return ERR_PROOF_INVALID;
    memcpy(add_in, acc, 64);
    if (sol_alt_bn128_group_op(ALT_BN128_ADD, add_in, 128, acc) != 0) return ERR_PROOF_INVALID;
  }
  u8 pairing[4 * 192];
  TRY(decompress(proof, 32, pairing));             /* -A */
  TRY(decompress(proof + 32, 64, pairing + 64));   /* B */
  memcpy(pairing + 192, blob, 64);                 /* alpha */
  memcpy(pairing + 256, blob + 64, 128);           /* beta */
  memcpy(pairing + 384, acc, 64);                  /* vk_x */
  memcpy(pairing + 448, blob + 192, 128);          /* gamma */
  TRY(decompress(proof + 96, 32, pairing + 576));  /* C */
  memcpy(pairing + 640, blob + 320, 128);          /* delta */
  u8 out[32];
  if (sol_alt_bn128_group_op(ALT_BN128_PAIRING, pairing, sizeof(pairing), out) != 0) return ERR_PROOF_INVALID;
  for (int i = 0; i < 31; i++)
    if (out[i] != 0) return ERR_PROOF_INVALID;
  return out[31] == 1 ? 0 : ERR_PROOF_INVALID;
}
