/**
 * ELF64 little-endian constants and a bounds-checked reader for BPF relocatable objects (ET_REL) as
 * clang emits them. Only what the SBF linker needs is modelled; anything else is reported, not guessed.
 */

export const EM_BPF = 247;
export const ET_REL = 1;
export const ET_DYN = 3;

export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const SHT_LLVM_ADDRSIG = 0x6fff4c03;

export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;

export const SHN_UNDEF = 0;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;

export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;

/** BPF relocation types (LLVM BPF.def). */
export const R_BPF_NONE = 0;
export const R_BPF_64_64 = 1;
export const R_BPF_64_ABS64 = 2;
export const R_BPF_64_ABS32 = 3;
export const R_BPF_64_NODYLD32 = 4;
export const R_BPF_64_RELATIVE = 8;
export const R_BPF_64_32 = 10;

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export const DT_NULL = 0;
export const DT_STRTAB = 5;
export const DT_SYMTAB = 6;
export const DT_STRSZ = 10;
export const DT_SYMENT = 11;
export const DT_REL = 17;
export const DT_RELSZ = 18;
export const DT_RELENT = 19;
export const DT_TEXTREL = 22;
export const DT_FLAGS = 30;
export const DF_TEXTREL = 0x4;
export const DT_RELCOUNT = 0x6ffffffa;

export const EHDR_SIZE = 64;
export const PHDR_SIZE = 56;
export const SHDR_SIZE = 64;
export const SYM_SIZE = 24;
export const REL_SIZE = 16;
export const DYN_SIZE = 16;
export const INSN_SIZE = 8;

/** Every malformed input becomes one of these, naming the file so a build log points at the culprit. */
export class LinkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LinkError';
  }
}

export interface SectionHeader {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  addralign: number;
  entsize: number;
}

export interface ObjSymbol {
  index: number;
  name: string;
  bind: number;
  type: number;
  shndx: number;
  value: number;
  size: number;
}

export interface ObjRelocation {
  offset: number;
  type: number;
  symbol: number;
}

export interface ObjectFile {
  name: string;
  bytes: Uint8Array;
  sections: SectionHeader[];
  symbols: ObjSymbol[];
  /** Relocations keyed by the index of the section they patch. */
  relocations: Map<number, ObjRelocation[]>;
}

class Reader {
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  private check(off: number, len: number): void {
    if (off < 0 || len < 0 || off + len > this.bytes.length) {
      throw new LinkError(`${this.file}: truncated ELF (read of ${len} bytes at ${off})`);
    }
  }
  u8(off: number): number {
    this.check(off, 1);
    return this.view.getUint8(off);
  }
  u16(off: number): number {
    this.check(off, 2);
    return this.view.getUint16(off, true);
  }
  u32(off: number): number {
    this.check(off, 4);
    return this.view.getUint32(off, true);
  }
  u64(off: number): bigint {
    this.check(off, 8);
    return this.view.getBigUint64(off, true);
  }
  /** A u64 that must fit a JS number (offsets and sizes in objects far below 2^53). */
  usize(off: number): number {
    const v = this.u64(off);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new LinkError(`${this.file}: size field too large at ${off}`);
    return Number(v);
  }
  slice(off: number, len: number): Uint8Array {
    this.check(off, len);
    return this.bytes.subarray(off, off + len);
  }
  cstr(off: number): string {
    let end = off;
    while (this.u8(end) !== 0) end++;
    return new TextDecoder().decode(this.bytes.subarray(off, end));
  }
}

export function readObject(name: string, bytes: Uint8Array): ObjectFile {
  const r = new Reader(bytes, name);
  if (bytes.length < EHDR_SIZE || r.u32(0) !== 0x464c457f) throw new LinkError(`${name}: not an ELF file`);
  if (r.u8(4) !== 2) throw new LinkError(`${name}: not ELF64`);
  if (r.u8(5) !== 1) throw new LinkError(`${name}: not little-endian`);
  if (r.u16(16) !== ET_REL) throw new LinkError(`${name}: not a relocatable object (e_type ${r.u16(16)})`);
  if (r.u16(18) !== EM_BPF) throw new LinkError(`${name}: e_machine ${r.u16(18)} is not BPF (${EM_BPF})`);
  const shoff = r.usize(40);
  const shentsize = r.u16(58);
  const shnum = r.u16(60);
  const shstrndx = r.u16(62);
  if (shentsize !== SHDR_SIZE) throw new LinkError(`${name}: unexpected section header size ${shentsize}`);
  if (shstrndx >= shnum) throw new LinkError(`${name}: bad section name table index`);

  const raw: Omit<SectionHeader, 'name'>[] = [];
  const nameOffsets: number[] = [];
  for (let i = 0; i < shnum; i++) {
    const h = shoff + i * SHDR_SIZE;
    nameOffsets.push(r.u32(h));
    raw.push({
      index: i,
      type: r.u32(h + 4),
      flags: r.u64(h + 8),
      offset: r.usize(h + 24),
      size: r.usize(h + 32),
      link: r.u32(h + 40),
      info: r.u32(h + 44),
      addralign: r.usize(h + 48),
      entsize: r.usize(h + 56),
    });
  }
  const shstr = raw[shstrndx]!;
  const sections: SectionHeader[] = raw.map((s, i) => {
    if (s.type !== SHT_NOBITS && s.type !== SHT_NULL) r.slice(s.offset, s.size); // bounds check
    return { ...s, name: r.cstr(shstr.offset + nameOffsets[i]!) };
  });

  const symtabs = sections.filter((s) => s.type === SHT_SYMTAB);
  if (symtabs.length > 1) throw new LinkError(`${name}: more than one symbol table`);
  const symbols: ObjSymbol[] = [];
  const symtab = symtabs[0];
  if (symtab) {
    if (symtab.entsize !== SYM_SIZE) throw new LinkError(`${name}: unexpected symbol entry size`);
    const strtab = sections[symtab.link];
    if (!strtab || strtab.type !== SHT_STRTAB)
      throw new LinkError(`${name}: symbol table without string table`);
    for (let i = 0; i < symtab.size / SYM_SIZE; i++) {
      const o = symtab.offset + i * SYM_SIZE;
      const info = r.u8(o + 4);
      symbols.push({
        index: i,
        name: r.cstr(strtab.offset + r.u32(o)),
        bind: info >> 4,
        type: info & 0xf,
        shndx: r.u16(o + 6),
        value: r.usize(o + 8),
        size: r.usize(o + 16),
      });
    }
  }

  const relocations = new Map<number, ObjRelocation[]>();
  for (const s of sections) {
    if (s.type === SHT_RELA)
      throw new LinkError(`${name}: RELA section ${s.name} is not supported (BPF uses REL)`);
    if (s.type !== SHT_REL) continue;
    if (s.entsize !== REL_SIZE) throw new LinkError(`${name}: unexpected relocation entry size in ${s.name}`);
    if (sections[s.link] !== symtab)
      throw new LinkError(`${name}: ${s.name} does not refer to the symbol table`);
    const list: ObjRelocation[] = [];
    for (let i = 0; i < s.size / REL_SIZE; i++) {
      const o = s.offset + i * REL_SIZE;
      const info = r.u64(o + 8);
      const symbol = Number(info >> 32n);
      if (symbol >= symbols.length)
        throw new LinkError(`${name}: relocation in ${s.name} names symbol ${symbol}`);
      list.push({ offset: r.usize(o), type: Number(info & 0xffffffffn), symbol });
    }
    relocations.set(s.info, list);
  }
  return { name, bytes, sections, symbols, relocations };
}
