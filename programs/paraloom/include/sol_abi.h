/*
 * Paraloom's own C view of the Solana SBF program ABI, written from the public description of
 * the aligned input serialization (BPF loader v2/v3), the C CPI structures and the syscall
 * signatures. Only what the program uses is declared.
 *
 * Input buffer (little-endian, 8-byte aligned):
 *   u64 account_count
 *   per account: u8 dup_index (0xFF = first occurrence)
 *     first occurrence: u8 is_signer, u8 is_writable, u8 executable, u32 original_data_len,
 *       pubkey key, pubkey owner, u64 lamports, u64 data_len, data[data_len],
 *       10240 bytes of realloc room, padding to 8, u64 rent_epoch
 *     duplicate: 7 bytes of padding
 *   u64 instruction_data_len, instruction_data, pubkey program_id
 */
#ifndef PARALOOM_SOL_ABI_H
#define PARALOOM_SOL_ABI_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed long long i64;
typedef int i32;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

#define static_assert _Static_assert

typedef struct {
  u8 x[32];
} SolPubkey;

/* Exactly the layout sol_invoke_signed_c expects for each account it may touch. */
typedef struct {
  SolPubkey *key;
  u64 *lamports;
  u64 data_len;
  u8 *data;
  SolPubkey *owner;
  u64 rent_epoch;
  bool is_signer;
  bool is_writable;
  bool executable;
} SolAccountInfo;
static_assert(sizeof(SolAccountInfo) == 56, "SolAccountInfo layout");

typedef struct {
  SolPubkey *pubkey;
  bool is_writable;
  bool is_signer;
} SolAccountMeta;

typedef struct {
  SolPubkey *program_id;
  SolAccountMeta *accounts;
  u64 account_len;
  u8 *data;
  u64 data_len;
} SolInstruction;

typedef struct {
  const u8 *addr;
  u64 len;
} SolBytes; /* also a signer seed: the runtime reads {ptr, len} pairs */

typedef struct {
  const SolBytes *addr;
  u64 len;
} SolSignerSeeds;

typedef struct {
  u64 slot;
  i64 epoch_start_timestamp;
  u64 epoch;
  u64 leader_schedule_epoch;
  i64 unix_timestamp;
} SolClock;

typedef struct {
  u64 lamports_per_byte_year;
  u64 exemption_threshold_f64_bits; /* an f64; SBF has no FPU, so it is read as bits */
  u8 burn_percent;
} SolRent;

#define MAX_PERMITTED_DATA_INCREASE 10240
#define NON_DUP_MARKER 0xFF

/* Bounded by the caller: the program never needs more accounts than this in one instruction. */
#define SOL_MAX_ACCOUNTS 16

typedef struct {
  SolAccountInfo ka[SOL_MAX_ACCOUNTS];
  u64 ka_num;
  const u8 *data;
  u64 data_len;
  const SolPubkey *program_id;
} SolParameters;

/* Returns false when the buffer names more accounts than SOL_MAX_ACCOUNTS. */
static inline bool sol_deserialize(const u8 *input, SolParameters *params) {
  u64 n = *(const u64 *)input;
  input += 8;
  if (n > SOL_MAX_ACCOUNTS) return false;
  params->ka_num = n;
  for (u64 i = 0; i < n; i++) {
    u8 dup = *input;
    input += 1;
    if (dup == NON_DUP_MARKER) {
      SolAccountInfo *a = &params->ka[i];
      a->is_signer = *input != 0;
      a->is_writable = *(input + 1) != 0;
      a->executable = *(input + 2) != 0;
      input += 3 + 4; /* flags, original_data_len */
      a->key = (SolPubkey *)input;
      input += 32;
      a->owner = (SolPubkey *)input;
      input += 32;
      a->lamports = (u64 *)input;
      input += 8;
      a->data_len = *(const u64 *)input;
      input += 8;
      a->data = (u8 *)input;
      input += a->data_len + MAX_PERMITTED_DATA_INCREASE;
      input = (const u8 *)(((u64)input + 7) & ~(u64)7);
      a->rent_epoch = *(const u64 *)input;
      input += 8;
    } else {
      params->ka[i] = params->ka[dup];
      input += 7;
    }
  }
  params->data_len = *(const u64 *)input;
  input += 8;
  params->data = input;
  input += params->data_len;
  params->program_id = (const SolPubkey *)input;
  return true;
}

/* ---- syscalls (resolved by the loader by name; see tools/sbf-link) ---- */
void sol_log_(const char *msg, u64 len);
void sol_log_64_(u64 a, u64 b, u64 c, u64 d, u64 e);
void sol_log_pubkey(const SolPubkey *key);
void sol_log_data(const SolBytes *fields, u64 count);
void sol_memcpy_(void *dst, const void *src, u64 n);
void sol_memset_(void *dst, u8 value, u64 n);
void sol_memcmp_(const void *a, const void *b, u64 n, i32 *result);
u64 sol_sha256(const SolBytes *slices, u64 count, u8 *out32);
/* parameters 0 = BN254 x^5 (circomlib), endianness 0 = big-endian; vals is an array of SolBytes. */
u64 sol_poseidon(u64 parameters, u64 endianness, const SolBytes *vals, u64 count, u8 *out32);
/* op 0 = G1 add (128 -> 64), 2 = G1 scalar mul (96 -> 64), 3 = pairing check (n*192 -> 32). */
u64 sol_alt_bn128_group_op(u64 op, const u8 *input, u64 input_len, u8 *out);
/* op 1 = G1 decompress (32 -> 64), 3 = G2 decompress (64 -> 128); big-endian, flags in the first byte. */
u64 sol_alt_bn128_compression(u64 op, const u8 *input, u64 input_len, u8 *out);
u64 sol_create_program_address(const SolBytes *seeds, u64 seeds_len, const SolPubkey *program_id, SolPubkey *out);
u64 sol_try_find_program_address(const SolBytes *seeds, u64 seeds_len, const SolPubkey *program_id, SolPubkey *out,
                                 u8 *bump);
u64 sol_invoke_signed_c(const SolInstruction *ix, const SolAccountInfo *infos, u64 infos_len,
                        const SolSignerSeeds *signers, u64 signers_len);
u64 sol_get_clock_sysvar(SolClock *out);
u64 sol_get_rent_sysvar(SolRent *out);

#define ALT_BN128_ADD 0
#define ALT_BN128_MUL 2
#define ALT_BN128_PAIRING 3
#define ALT_BN128_G1_DECOMPRESS 1
#define ALT_BN128_G2_DECOMPRESS 3

#endif
