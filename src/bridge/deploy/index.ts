// Deployment through transactions: the upgradeable loader's client, the deployer, inspection, initialize.
export {
  assertElf,
  type BufferReport,
  type DeployerOptions,
  type DeployReport,
  LAMPORTS_PER_SIGNATURE,
  ProgramDeployer,
} from './deployer.js';
export { type InitializeReport, initializeBridge } from './initialize.js';
export { inspectProgram, type ProgramInfo } from './inspect.js';
export {
  BUFFER_METADATA_BYTES,
  CLOCK_SYSVAR_ID,
  closeInstruction,
  type DeployAccounts,
  decodeLoaderState,
  deployedElf,
  deployWithMaxDataLenInstruction,
  elfLength,
  encodeProgramAccount,
  encodeProgramData,
  findProgramDataAddress,
  initializeBufferInstruction,
  LOADER_INSTRUCTION_TAGS,
  LOADER_V3_ID,
  type LoaderState,
  MAX_PERMITTED_DATA_LENGTH,
  PROGRAM_ACCOUNT_BYTES,
  PROGRAMDATA_METADATA_BYTES,
  RENT_SYSVAR_ID,
  setAuthorityCheckedInstruction,
  setAuthorityInstruction,
  type UpgradeAccounts,
  upgradeInstruction,
  writeInstruction,
  writeInstructionDataLength,
} from './loader.js';
export { loaderErrorOf } from './loader-errors.js';
export { type DeployedProgram, readProgram, requireUpgradeAuthority } from './program-account.js';
export { assertFitsPacket, PACKET_DATA_SIZE, wireSize, writeChunkBytes } from './wire.js';
