export { LinkError, type ObjectFile, readObject } from './elf.js';
export { MM_PROGRAM_START } from './link.js';
export { KNOWN_SYSCALLS } from './syscalls.js';
export { linkSharedObject } from './write-so.js';
