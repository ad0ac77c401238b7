import type { ObjectFile } from './elf.js';
import {
  DF_TEXTREL,
  DT_FLAGS,
  DT_NULL,
  DT_REL,
  DT_RELENT,
  DT_RELSZ,
  DT_STRSZ,
  DT_STRTAB,
  DT_SYMENT,
  DT_SYMTAB,
  DT_TEXTREL,
  DYN_SIZE,
  EHDR_SIZE,
  EM_BPF,
  ET_DYN,
  PF_R,
  PF_W,
  PF_X,
  PHDR_SIZE,
  PT_DYNAMIC,
  PT_LOAD,
  R_BPF_64_32,
  REL_SIZE,
  SHDR_SIZE,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHT_DYNAMIC,
  SHT_DYNSYM,
  SHT_PROGBITS,
  SHT_REL,
  SHT_STRTAB,
  STB_GLOBAL,
  STT_NOTYPE,
  SYM_SIZE,
} from './elf.js';
import { type LinkedImage, linkObjects } from './link.js';

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Text starts right after the ELF header and the four program headers. */
const PHDR_COUNT = 4;
const TEXT_ADDR = align(EHDR_SIZE + PHDR_COUNT * PHDR_SIZE, 8);

/**
 * Links BPF objects into an SBPFv0 shared object the Solana loader accepts: ET_DYN, every section's
 * address equal to its file offset, data addresses already final, and one R_BPF_64_32 dynamic
 * relocation per syscall call site (the loader replaces `call -1` with the murmur3 key of the name).
 */
export function linkSharedObject(objects: readonly ObjectFile[], entry = 'entrypoint'): Uint8Array {
  const img = linkObjects(
    objects,
    (textSize, _rodataSize, rodataAlign) => ({
      textAddr: TEXT_ADDR,
      rodataAddr: align(TEXT_ADDR + textSize, rodataAlign),
    }),
    entry,
  );
  return writeSharedObject(img);
}

interface Shdr {
  name: string;
  type: number;
  flags: number;
  addr: number;
  size: number;
  link: number;
  info: number;
  align: number;
  entsize: number;
}

function writeSharedObject(img: LinkedImage & { textAddr: number; rodataAddr: number }): Uint8Array {
  // Dynamic symbols: index 0 is the null symbol, then each distinct syscall name in first-use order.
  const names: string[] = [];
  for (const s of img.syscalls) if (!names.includes(s.name)) names.push(s.name);
  const enc = new TextEncoder();
  const dynstrParts: number[] = [0];
  const nameOff = new Map<string, number>();
  for (const n of names) {
    nameOff.set(n, dynstrParts.length);
    dynstrParts.push(...enc.encode(n), 0);
  }
  const dynstr = Uint8Array.from(dynstrParts);

  const rodataEnd = img.rodataAddr + img.rodata.length;
  const dynamicAddr = align(rodataEnd, 8);
  const dynEntries: [number, number][] = [];
  const hasRel = img.syscalls.length > 0;
  // DYN table size is fixed by which entries exist, so compute it before the addresses that follow it.
  const dynCount = (hasRel ? 5 : 0) + 4 + 1;
  const dynsymAddr = dynamicAddr + dynCount * DYN_SIZE;
  const dynsymSize = (names.length + 1) * SYM_SIZE;
  const dynstrAddr = dynsymAddr + dynsymSize;
  const relAddr = align(dynstrAddr + dynstr.length, 8);
  const relSize = img.syscalls.length * REL_SIZE;
  if (hasRel) {
    dynEntries.push(
      [DT_FLAGS, DF_TEXTREL],
      [DT_TEXTREL, 0],
      [DT_REL, relAddr],
      [DT_RELSZ, relSize],
      [DT_RELENT, REL_SIZE],
    );
  }
  dynEntries.push(
    [DT_SYMTAB, dynsymAddr],
    [DT_SYMENT, SYM_SIZE],
    [DT_STRTAB, dynstrAddr],
    [DT_STRSZ, dynstr.length],
  );
  dynEntries.push([DT_NULL, 0]);

  const shstrNames = ['', '.text', '.rodata', '.dynamic', '.dynsym', '.dynstr', '.rel.dyn', '.shstrtab'];
  const shstrOff = new Map<string, number>();
  const shstrBytes: number[] = [];
  for (const n of shstrNames) {
    shstrOff.set(n, shstrBytes.length);
    shstrBytes.push(...enc.encode(n), 0);
  }
  const shstrAddr = relAddr + relSize;
  const shoff = align(shstrAddr + shstrBytes.length, 8);

  const shdrs: Shdr[] = [
    { name: '', type: 0, flags: 0, addr: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0 },
  ];
  const push = (h: Shdr): number => shdrs.push(h) - 1;
  push({
    name: '.text',
    type: SHT_PROGBITS,
    flags: SHF_ALLOC | SHF_EXECINSTR,
    addr: img.textAddr,
    size: img.text.length,
    link: 0,
    info: 0,
    align: 8,
    entsize: 0,
  });
  if (img.rodata.length > 0) {
    push({
      name: '.rodata',
      type: SHT_PROGBITS,
      flags: SHF_ALLOC,
      addr: img.rodataAddr,
      size: img.rodata.length,
      link: 0,
      info: 0,
      align: img.rodataAlign,
      entsize: 0,
    });
  }
  const dynamicIdx = push({
    name: '.dynamic',
    type: SHT_DYNAMIC,
    flags: SHF_ALLOC | SHF_WRITE,
    addr: dynamicAddr,
    size: dynCount * DYN_SIZE,
    link: 0,
    info: 0,
    align: 8,
    entsize: DYN_SIZE,
  });
  const dynsymIdx = push({
    name: '.dynsym',
    type: SHT_DYNSYM,
    flags: SHF_ALLOC,
    addr: dynsymAddr,
    size: dynsymSize,
    link: 0,
    info: 1,
    align: 8,
    entsize: SYM_SIZE,
  });
  const dynstrIdx = push({
    name: '.dynstr',
    type: SHT_STRTAB,
    flags: SHF_ALLOC,
    addr: dynstrAddr,
    size: dynstr.length,
    link: 0,
    info: 0,
    align: 1,
    entsize: 0,
  });
  shdrs[dynamicIdx]!.link = dynstrIdx;
  shdrs[dynsymIdx]!.link = dynstrIdx;
  if (hasRel) {
    push({
      name: '.rel.dyn',
      type: SHT_REL,
      flags: SHF_ALLOC,
      addr: relAddr,
      size: relSize,
      link: dynsymIdx,
      info: 0,
      align: 8,
      entsize: REL_SIZE,
    });
  }
  const shstrIdx = push({
    name: '.shstrtab',
    type: SHT_STRTAB,
    flags: 0,
    addr: 0,
    size: shstrBytes.length,
    link: 0,
    info: 0,
    align: 1,
    entsize: 0,
  });
  shdrs[shstrIdx]!.addr = 0;

  const total = shoff + shdrs.length * SHDR_SIZE;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  const u64 = (o: number, x: number | bigint): void => v.setBigUint64(o, BigInt(x), true);

  // ELF header.
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0);
  v.setUint16(16, ET_DYN, true);
  v.setUint16(18, EM_BPF, true);
  v.setUint32(20, 1, true);
  u64(24, img.textAddr + img.entryOffset);
  u64(32, EHDR_SIZE);
  u64(40, shoff);
  v.setUint32(48, 0, true); // e_flags 0 selects SBPFv0
  v.setUint16(52, EHDR_SIZE, true);
  v.setUint16(54, PHDR_SIZE, true);
  v.setUint16(56, PHDR_COUNT, true);
  v.setUint16(58, SHDR_SIZE, true);
  v.setUint16(60, shdrs.length, true);
  v.setUint16(62, shstrIdx, true);

  // Program headers: text, read-only data, dynamic tables, and PT_DYNAMIC.
  const phdr = (i: number, type: number, flags: number, off: number, size: number, al: number): void => {
    const o = EHDR_SIZE + i * PHDR_SIZE;
    v.setUint32(o, type, true);
    v.setUint32(o + 4, flags, true);
    u64(o + 8, off);
    u64(o + 16, off);
    u64(o + 24, off);
    u64(o + 32, size);
    u64(o + 40, size);
    u64(o + 48, al);
  };
  phdr(0, PT_LOAD, PF_R | PF_X, img.textAddr, img.text.length, 8);
  phdr(1, PT_LOAD, PF_R, img.rodataAddr, img.rodata.length, 8);
  phdr(2, PT_LOAD, PF_R | PF_W, dynamicAddr, relAddr + relSize - dynamicAddr, 8);
  phdr(3, PT_DYNAMIC, PF_R | PF_W, dynamicAddr, dynCount * DYN_SIZE, 8);

  out.set(img.text, img.textAddr);
  out.set(img.rodata, img.rodataAddr);
  dynEntries.forEach(([tag, val], i) => {
    u64(dynamicAddr + i * DYN_SIZE, tag);
    u64(dynamicAddr + i * DYN_SIZE + 8, val);
  });
  names.forEach((n, i) => {
    const o = dynsymAddr + (i + 1) * SYM_SIZE;
    v.setUint32(o, nameOff.get(n)!, true);
    out[o + 4] = (STB_GLOBAL << 4) | STT_NOTYPE;
  });
  out.set(dynstr, dynstrAddr);
  img.syscalls.forEach((s, i) => {
    const o = relAddr + i * REL_SIZE;
    u64(o, img.textAddr + s.textOffset);
    u64(o + 8, (BigInt(names.indexOf(s.name) + 1) << 32n) | BigInt(R_BPF_64_32));
  });
  out.set(shstrBytes, shstrAddr);
  shdrs[shstrIdx]!.addr = 0;
  shdrs.forEach((h, i) => {
    const o = shoff + i * SHDR_SIZE;
    v.setUint32(o, shstrOff.get(h.name)!, true);
    v.setUint32(o + 4, h.type, true);
    u64(o + 8, h.flags);
    u64(o + 16, h.addr);
    u64(o + 24, h.name === '.shstrtab' ? shstrAddr : h.addr);
    u64(o + 32, h.size);
    v.setUint32(o + 40, h.link, true);
    v.setUint32(o + 44, h.info, true);
    u64(o + 48, h.align);
    u64(o + 56, h.entsize);
  });
  return out;
}
