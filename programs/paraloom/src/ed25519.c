/*
 * Introspection of the Ed25519 native program through the Instructions sysvar. The runtime verifies
 * every Ed25519-program instruction before the transaction can succeed, so a signature listed there
 * is a verified signature, provided its offsets point into that same instruction (index 0xFFFF):
 * otherwise the bytes we read would not be the bytes that were verified.
 *
 * Instructions sysvar data: u16 n | u16 offset[n] | instructions... | u16 current_index
 *   instruction: u16 n_accounts | (u8 flags, pubkey)[n_accounts] | program_id | u16 data_len | data
 * Ed25519 data: u8 n_sigs | u8 pad | n_sigs * (u16 sig_off, u16 sig_ix, u16 pk_off, u16 pk_ix,
 *   u16 msg_off, u16 msg_len, u16 msg_ix) | payload
 */
#include "paraloom.h"

static const u8 INSTRUCTIONS_SYSVAR[32] = {6,   167, 213, 23,  24,  123, 209, 102, 53,  218, 212,
                                           4,   85,  253, 194, 192, 193, 36,  198, 143, 33,  86,
                                           117, 165, 219, 186, 203, 95,  8,   0,   0,   0};
static const u8 ED25519_PROGRAM[32] = {3,   125, 70,  214, 124, 147, 251, 190, 18,  249, 66,
                                       143, 131, 141, 64,  255, 5,   112, 116, 73,  39,  244,
                                       138, 100, 252, 202, 112, 68,  128, 0,   0,   0};

static u64 parse_ed25519(const u8 *d, u64 len, SignedMessage *out, u64 max, u64 *count) {
  if (len < 2) return ERR_BAD_SIGNATURE_INSTRUCTION;
  u64 n = d[0];
  if (len < 2 + 14 * n) return ERR_BAD_SIGNATURE_INSTRUCTION;
  for (u64 i = 0; i < n; i++) {
    const u8 *o = d + 2 + 14 * i;
    u16 sig_off = rd_u16(o), sig_ix = rd_u16(o + 2), pk_off = rd_u16(o + 4), pk_ix = rd_u16(o + 6);
    u16 msg_off = rd_u16(o + 8), msg_len = rd_u16(o + 10), msg_ix = rd_u16(o + 12);
    if (sig_ix != 0xFFFF || pk_ix != 0xFFFF || msg_ix != 0xFFFF) return ERR_BAD_SIGNATURE_INSTRUCTION;
    if ((u64)sig_off + 64 > len || (u64)pk_off + 32 > len || (u64)msg_off + msg_len > len)
      return ERR_BAD_SIGNATURE_INSTRUCTION;
    if (*count >= max) return ERR_BAD_SIGNATURE_INSTRUCTION;
    out[*count].pubkey = d + pk_off;
    out[*count].message = d + msg_off;
    out[*count].message_len = msg_len;
    (*count)++;
  }
  return 0;
}

u64 ed25519_signatures(const SolAccountInfo *ix_sysvar, SignedMessage *out, u64 max, u64 *count) {
  *count = 0;
  if (!bytes_eq(ix_sysvar->key->x, INSTRUCTIONS_SYSVAR, 32)) return ERR_ACCOUNT_MISMATCH;
  const u8 *d = ix_sysvar->data;
  u64 len = ix_sysvar->data_len;
  if (len < 2) return ERR_INVALID_ACCOUNT_DATA;
  u64 n = rd_u16(d);
  if (len < 2 + 2 * n) return ERR_INVALID_ACCOUNT_DATA;
  for (u64 i = 0; i < n; i++) {
    u64 at = rd_u16(d + 2 + 2 * i);
    if (at + 2 > len) return ERR_INVALID_ACCOUNT_DATA;
    u64 accounts = rd_u16(d + at);
    u64 pid = at + 2 + 33 * accounts;
    if (pid + 34 > len) return ERR_INVALID_ACCOUNT_DATA;
    u64 data_len = rd_u16(d + pid + 32);
    if (pid + 34 + data_len > len) return ERR_INVALID_ACCOUNT_DATA;
    if (!bytes_eq(d + pid, ED25519_PROGRAM, 32)) continue;
    TRY(parse_ed25519(d + pid + 34, data_len, out, max, count));
  }
  return 0;
}
