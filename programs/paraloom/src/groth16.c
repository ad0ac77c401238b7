/* Groth16 verification with the alt_bn128 syscalls (big-endian; G2 as x.c1 | x.c0 | y.c1 | y.c0).
 * Checks e(-A, B) * e(alpha, beta) * e(vk_x, gamma) * e(C, delta) == 1, with
 * vk_x = IC[0] + sum(input_i * IC[i+1]). The proof's A arrives already negated. */
#include "paraloom.h"

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
  memcpy(pairing, proof, 64);             /* -A */
  memcpy(pairing + 64, proof + 64, 128);  /* B */
  memcpy(pairing + 192, blob, 64);        /* alpha */
  memcpy(pairing + 256, blob + 64, 128);  /* beta */
  memcpy(pairing + 384, acc, 64);         /* vk_x */
  memcpy(pairing + 448, blob + 192, 128); /* gamma */
  memcpy(pairing + 576, proof + 192, 64); /* C */
  memcpy(pairing + 640, blob + 320, 128); /* delta */
  u8 out[32];
  if (sol_alt_bn128_group_op(ALT_BN128_PAIRING, pairing, sizeof(pairing), out) != 0) return ERR_PROOF_INVALID;
  for (int i = 0; i < 31; i++)
    if (out[i] != 0) return ERR_PROOF_INVALID;
  return out[31] == 1 ? 0 : ERR_PROOF_INVALID;
}
