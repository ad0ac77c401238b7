/**
 * The validator's side of the program: read its ValidatorAccount and the registry, and send
 * register / update endpoints / set relay fee / unregister / withdraw-unbonded with the validator key as signer and
 * fee payer, through the bridge's TransactionSender (bounded, idempotent retries).
 */
import {
  type Address,
  address,
  createKeyPairSignerFromPrivateKeyBytes,
  type KeyPairSigner,
} from '@solana/kit';
import {
  type BridgeRpc,
  decodeValidatorAccount,
  decodeValidatorRegistry,
  deriveProgramAddresses,
  findValidatorPda,
  type ProgramAddresses,
  registerValidatorInstruction,
  type Sent,
  setRelayFeeInstruction,
  TransactionSender,
  unregisterValidatorInstruction,
  updateValidatorEndpointsInstruction,
  type ValidatorAccount,
  type ValidatorRegistry,
  withdrawUnbondedInstruction,
} from '../bridge/index.js';
import type { Logger } from '../common/index.js';
import type { Field } from '../privacy/index.js';
import { type Endpoints, encodeEndpoints } from './endpoints.js';
import type { ValidatorKeypair } from './keypair.js';

type Commitment = 'processed' | 'confirmed' | 'finalized';

/** Read-only view of the program's validator accounts. */
export class ValidatorChainReader {
  private addresses: Promise<ProgramAddresses> | undefined;
  private readonly validatorPdas = new Map<Address, Address>();

  constructor(
    readonly rpc: BridgeRpc,
    readonly programId: Address,
    readonly commitment: Commitment = 'confirmed',
  ) {}

  programAddresses(): Promise<ProgramAddresses> {
    this.addresses ??= deriveProgramAddresses(this.programId);
    return this.addresses;
  }

  /** The ValidatorAccount of `validator`, or undefined when it has none (never registered, or withdrawn). */
  async account(validator: Address): Promise<ValidatorAccount | undefined> {
    const [pda] = await findValidatorPda(this.programId, validator);
    const data = await this.rpc.accountData(pda, this.commitment);
    if (!data || data.owner !== this.programId) return undefined;
    return decodeValidatorAccount(data.data);
  }

  async registry(): Promise<ValidatorRegistry> {
    const p = await this.programAddresses();
    const data = await this.rpc.accountData(p.validatorRegistry, this.commitment);
    if (!data || data.owner !== this.programId) {
      return { total: 0, active: 0, totalActiveStake: 0n, minStake: 0n, validators: [] };
    }
    return decodeValidatorRegistry(data.data);
  }

  /** A validator's account address; derived once per key (a derivation costs a few curve checks). */
  private async validatorPda(key: Address): Promise<Address> {
    let pda = this.validatorPdas.get(key);
    if (!pda) {
      pda = (await findValidatorPda(this.programId, key))[0];
      if (this.validatorPdas.size >= 4096) this.validatorPdas.clear();
      this.validatorPdas.set(key, pda);
    }
    return pda;
  }

  /** The accounts of the active set, in registry order, read in one call (<= 64 accounts). */
  async activeAccounts(): Promise<ValidatorAccount[]> {
    const reg = await this.registry();
    if (reg.validators.length === 0) return [];
    const pdas = await Promise.all(reg.validators.map((v) => this.validatorPda(v.key)));
    const { value } = await this.rpc.call(
      'getMultipleAccounts',
      (r) => r.getMultipleAccounts(pdas, { commitment: this.commitment, encoding: 'base64' }),
      { count: pdas.length },
    );
    const out: ValidatorAccount[] = [];
    for (const acc of value) {
      if (!acc || acc.owner !== this.programId) continue;
      out.push(decodeValidatorAccount(new Uint8Array(Buffer.from(acc.data[0], 'base64'))));
    }
    return out;
  }
}

/** Registered and bonded: counts in quorums and may send heartbeats. */
export function isActive(account: ValidatorAccount | undefined): boolean {
  return account?.active === true && account.unbondingUntil === 0n;
}

export interface ValidatorChainOptions {
  readonly commitment?: Commitment;
  readonly logger?: Logger;
}

/** The reader plus the transactions the validator key signs. */
export class ValidatorChain extends ValidatorChainReader {
  private constructor(
    rpc: BridgeRpc,
    programId: Address,
    readonly signer: KeyPairSigner,
    private readonly sender: TransactionSender,
    commitment: Commitment,
  ) {
    super(rpc, programId, commitment);
  }

  static async create(
    rpc: BridgeRpc,
    programId: string,
    keypair: ValidatorKeypair,
    options: ValidatorChainOptions = {},
  ): Promise<ValidatorChain> {
    const signer = await createKeyPairSignerFromPrivateKeyBytes(keypair.secretKey.slice(0, 32));
    const commitment = options.commitment ?? 'confirmed';
    const sender = new TransactionSender(rpc, {
      feePayer: signer,
      commitment: commitment === 'processed' ? 'confirmed' : commitment,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    return new ValidatorChain(rpc, address(programId), signer, sender, commitment);
  }

  get address(): Address {
    return this.signer.address;
  }

  async register(stake: bigint, endpoints: Endpoints): Promise<Sent> {
    const e = encodeEndpoints(endpoints);
    const ix = await registerValidatorInstruction(
      await this.programAddresses(),
      this.signer,
      stake,
      e.peerId,
      e.multiaddrs,
    );
    return this.sender.send([ix], 'register_validator');
  }

  async updateEndpoints(endpoints: Endpoints): Promise<Sent> {
    const e = encodeEndpoints(endpoints);
    const ix = await updateValidatorEndpointsInstruction(
      await this.programAddresses(),
      this.signer,
      e.peerId,
      e.multiaddrs,
    );
    return this.sender.send([ix], 'update_validator_endpoints');
  }

  /** Sets this validator's relay fee floor for `asset` (0 is SOL) in its ValidatorAccount. */
  async setRelayFee(asset: Field, floor: bigint): Promise<Sent> {
    const ix = await setRelayFeeInstruction(await this.programAddresses(), this.signer, asset, floor);
    return this.sender.send([ix], 'set_relay_fee');
  }

  async unregister(): Promise<Sent> {
    const ix = await unregisterValidatorInstruction(await this.programAddresses(), this.signer);
    return this.sender.send([ix], 'unregister_validator');
  }

  async withdrawUnbonded(): Promise<Sent> {
    const ix = await withdrawUnbondedInstruction(await this.programAddresses(), this.signer);
    return this.sender.send([ix], 'withdraw_unbonded');
  }
}
