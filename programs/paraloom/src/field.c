/* BN254 scalar field helpers over 32-byte big-endian values (the syscalls' byte order). */
#include "paraloom.h"

/* p = 21888242871839275222246405745257275088548364400416034343698204186575808495617, big-endian. */
static const u8 FIELD_P[32] = {0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45,
                               0xb6, 0x81, 0x81, 0x58, 0x5d, 0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9,
                               0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01};

/* Lexicographic compare of big-endian numbers is numeric compare. */
bool field_is_canonical(const u8 *be32) {
  for (int i = 0; i < 32; i++) {
    if (be32[i] < FIELD_P[i]) return true;
    if (be32[i] > FIELD_P[i]) return false;
  }
  return false; /* equal to p */
}

static void sub_p(u8 *x) {
  int borrow = 0;
  for (int i = 31; i >= 0; i--) {
    int d = (int)x[i] - (int)FIELD_P[i] - borrow;
    borrow = d < 0;
    x[i] = (u8)(d + (borrow ? 256 : 0));
  }
}

/* Any 256-bit value is < 6p, so at most five subtractions make it canonical. */
void field_reduce(u8 *be32) {
  while (!field_is_canonical(be32)) sub_p(be32);
}

/* out = p - v for 0 < v < 2^64: the field encoding of the negative amount -v. */
void field_neg_u64(u64 v, u8 *out) {
  int borrow = 0;
  for (int i = 31; i >= 0; i--) {
    int sub = i >= 24 ? (int)((v >> (8 * (31 - i))) & 0xff) : 0;
    int d = (int)FIELD_P[i] - sub - borrow;
    borrow = d < 0;
    out[i] = (u8)(d + (borrow ? 256 : 0));
  }
}

u64 poseidon(const u8 *const *inputs, u64 n, u8 *out) {
  SolBytes parts[4];
  if (n == 0 || n > 4) return ERR_INVALID_PARAMETER;
  for (u64 i = 0; i < n; i++) {
    parts[i].addr = inputs[i];
    parts[i].len = 32;
  }
  return sol_poseidon(0, 0, parts, n, out) == 0 ? 0 : ERR_SYSCALL_FAILED;
}

u64 sha256_parts(const SolBytes *parts, u64 n, u8 *out) {
  return sol_sha256(parts, n, out) == 0 ? 0 : ERR_SYSCALL_FAILED;
}
