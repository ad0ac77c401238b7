import {
  INSN_SIZE,
  LinkError,
  type ObjectFile,
  type ObjSymbol,
  R_BPF_64_32,
  R_BPF_64_64,
  R_BPF_64_ABS64,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_WRITE,
  SHN_ABS,
  SHN_COMMON,
  SHN_UNDEF,
  SHT_LLVM_ADDRSIG,
  SHT_NOBITS,
  SHT_NULL,
  SHT_PROGBITS,
  SHT_REL,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_LOCAL,
  STB_WEAK,
  STT_FUNC,
  STT_SECTION,
} from './elf.js';
import { KNOWN_SYSCALLS } from './syscalls.js';

/** SBPFv0 maps the program image at this virtual address; a file offset X is read at MM + X. */
export const MM_PROGRAM_START = 0x1_0000_0000n;

const OP_LDDW = 0x18;
const OP_CALL = 0x85;
const OP_CALLX = 0x8d;

type Kind = 'text' | 'rodata' | 'skip';

interface Placed {
  kind: 'text' | 'rodata';
  /** Offset of this input section inside the merged output section. */
  offset: number;
}

export interface SyscallSite {
  /** Offset of the `call -1` instruction inside the merged .text. */
  textOffset: number;
  name: string;
}

/** The result of resolution: addresses are final once `textAddr`/`rodataAddr` are the file offsets. */
export interface LinkedImage {
  text: Uint8Array;
  rodata: Uint8Array;
  rodataAlign: number;
  entryOffset: number;
  syscalls: SyscallSite[];
}

export interface LinkLayout {
  textAddr: number;
  rodataAddr: number;
}

function classify(obj: ObjectFile, index: number): Kind {
  const s = obj.sections[index]!;
  const where = `${obj.name}: section ${s.name}`;
  if (s.type === SHT_NULL || s.type === SHT_SYMTAB || s.type === SHT_STRTAB || s.type === SHT_REL)
    return 'skip';
  if (s.type === SHT_LLVM_ADDRSIG) return 'skip';
  const alloc = (s.flags & BigInt(SHF_ALLOC)) !== 0n;
  const exec = (s.flags & BigInt(SHF_EXECINSTR)) !== 0n;
  const write = (s.flags & BigInt(SHF_WRITE)) !== 0n;
  if (!alloc) {
    // .comment and the empty GNU-stack note carry nothing that runs; debug info would need relocations we refuse.
    if (s.name === '.comment' || s.name === '.note.GNU-stack') return 'skip';
    throw new LinkError(`${where} is not supported (build without -g; only .text and .rodata are linked)`);
  }
  if (s.type === SHT_NOBITS || write || s.name.startsWith('.data') || s.name.startsWith('.bss')) {
    if (s.size === 0) return 'skip';
    throw new LinkError(`${where} is writable data: Solana programs cannot have writable globals`);
  }
  if (s.type !== SHT_PROGBITS) throw new LinkError(`${where} has unsupported type ${s.type}`);
  if (exec) {
    if (s.name === '.text' || s.name.startsWith('.text.')) return 'text';
    throw new LinkError(`${where} is executable but not a .text section`);
  }
  if (s.name === '.rodata' || s.name.startsWith('.rodata.')) return 'rodata';
  throw new LinkError(`${where} is not a recognised section (expected .text* or .rodata*)`);
}

function alignUp(n: number, a: number): number {
  const al = Math.max(1, a);
  return Math.ceil(n / al) * al;
}

interface Resolved {
  kind: 'text' | 'rodata';
  /** Offset inside the merged output section. */
  offset: number;
  isFunction: boolean;
}

/**
 * Resolves every object's relocations into one .text and one .rodata. `layout` gives the file
 * offsets (== virtual offsets) at which the writer will place the two sections, so data addresses
 * can be written as final values and the loader only has syscalls left to patch.
 */
export function linkObjects(
  objects: readonly ObjectFile[],
  layoutFor: (textSize: number, rodataSize: number, rodataAlign: number) => LinkLayout,
  entry = 'entrypoint',
): LinkedImage & LinkLayout {
  const placed = new Map<ObjectFile, Map<number, Placed>>();
  let textSize = 0;
  let rodataSize = 0;
  let rodataAlign = 8;
  for (const obj of objects) {
    const m = new Map<number, Placed>();
    for (let i = 0; i < obj.sections.length; i++) {
      const kind = classify(obj, i);
      if (kind === 'skip') continue;
      const s = obj.sections[i]!;
      if (kind === 'text') {
        if (s.size % INSN_SIZE !== 0)
          throw new LinkError(`${obj.name}: ${s.name} size is not whole instructions`);
        textSize = alignUp(textSize, INSN_SIZE);
        m.set(i, { kind, offset: textSize });
        textSize += s.size;
      } else {
        rodataAlign = Math.max(rodataAlign, s.addralign);
        rodataSize = alignUp(rodataSize, s.addralign);
        m.set(i, { kind, offset: rodataSize });
        rodataSize += s.size;
      }
    }
    placed.set(obj, m);
    for (const target of obj.relocations.keys()) {
      if (!m.has(target)) {
        throw new LinkError(
          `${obj.name}: relocations for section ${obj.sections[target]?.name} which is not linked`,
        );
      }
    }
  }
  if (textSize === 0) throw new LinkError('no .text in any input');

  const text = new Uint8Array(textSize);
  const rodata = new Uint8Array(rodataSize);
  for (const obj of objects) {
    for (const [i, p] of placed.get(obj)!) {
      const s = obj.sections[i]!;
      (p.kind === 'text' ? text : rodata).set(obj.bytes.subarray(s.offset, s.offset + s.size), p.offset);
    }
  }

  // Global symbol table across objects; one strong definition per name.
  const globals = new Map<string, { sym: ObjSymbol; obj: ObjectFile; weak: boolean }>();
  for (const obj of objects) {
    for (const sym of obj.symbols) {
      if (sym.bind === STB_LOCAL || sym.shndx === SHN_UNDEF) continue;
      if (sym.shndx === SHN_COMMON)
        throw new LinkError(`${obj.name}: common symbol ${sym.name} (writable global)`);
      if (sym.shndx === SHN_ABS) continue;
      if (!placed.get(obj)!.has(sym.shndx)) continue;
      const weak = sym.bind === STB_WEAK;
      const prev = globals.get(sym.name);
      if (prev && !prev.weak && !weak) {
        throw new LinkError(`duplicate symbol ${sym.name} in ${prev.obj.name} and ${obj.name}`);
      }
      if (!prev || (prev.weak && !weak)) globals.set(sym.name, { sym, obj, weak });
    }
  }

  const resolveDefined = (obj: ObjectFile, sym: ObjSymbol): Resolved => {
    const p = placed.get(obj)!.get(sym.shndx);
    if (!p)
      throw new LinkError(
        `${obj.name}: symbol ${sym.name || '(section)'} lives in a section that is not linked`,
      );
    return { kind: p.kind, offset: p.offset + sym.value, isFunction: sym.type === STT_FUNC };
  };
  const resolve = (obj: ObjectFile, symIndex: number): Resolved | { undefinedName: string } => {
    const sym = obj.symbols[symIndex]!;
    if (sym.type === STT_SECTION || (sym.bind === STB_LOCAL && sym.shndx !== SHN_UNDEF)) {
      return resolveDefined(obj, sym);
    }
    const g = globals.get(sym.name);
    if (g) return resolveDefined(g.obj, g.sym);
    return { undefinedName: sym.name };
  };

  const layout = layoutFor(textSize, rodataSize, rodataAlign);
  const vm = (r: Resolved, addend: bigint): bigint =>
    MM_PROGRAM_START +
    BigInt(r.kind === 'text' ? layout.textAddr : layout.rodataAddr) +
    BigInt(r.offset) +
    addend;

  const syscalls: SyscallSite[] = [];
  const tview = new DataView(text.buffer);
  const rview = new DataView(rodata.buffer);
  for (const obj of objects) {
    for (const [target, relocs] of obj.relocations) {
      const p = placed.get(obj)!.get(target)!;
      const secName = obj.sections[target]!.name;
      for (const rel of relocs) {
        const at = p.offset + rel.offset;
        const where = `${obj.name}: ${secName}+0x${rel.offset.toString(16)}`;
        const r = resolve(obj, rel.symbol);
        if (p.kind === 'text') {
          if (rel.offset % INSN_SIZE !== 0) throw new LinkError(`${where}: relocation not on an instruction`);
          const op = text[at]!;
          if (rel.type === R_BPF_64_64) {
            if (op !== OP_LDDW)
              throw new LinkError(`${where}: R_BPF_64_64 on opcode 0x${op.toString(16)}, not lddw`);
            if ('undefinedName' in r)
              throw new LinkError(`${where}: undefined data symbol ${r.undefinedName}`);
            if (r.kind === 'text')
              throw new LinkError(`${where}: taking a function's address is not supported`);
            const addend =
              BigInt(tview.getUint32(at + 4, true)) | (BigInt(tview.getUint32(at + 12, true)) << 32n);
            const v = vm(r, addend);
            tview.setUint32(at + 4, Number(v & 0xffffffffn), true);
            tview.setUint32(at + 12, Number(v >> 32n), true);
          } else if (rel.type === R_BPF_64_32) {
            if (op !== OP_CALL)
              throw new LinkError(`${where}: R_BPF_64_32 on opcode 0x${op.toString(16)}, not call`);
            if ('undefinedName' in r) {
              if (!KNOWN_SYSCALLS.has(r.undefinedName)) {
                throw new LinkError(
                  `${where}: undefined symbol ${r.undefinedName} (not defined in any input, not a syscall)`,
                );
              }
              tview.setInt32(at + 4, -1, true);
              syscalls.push({ textOffset: at, name: r.undefinedName });
            } else {
              if (r.kind !== 'text' || !r.isFunction)
                throw new LinkError(`${where}: call target is not a function`);
              if (obj.symbols[rel.symbol]!.type === STT_SECTION) {
                throw new LinkError(`${where}: call through a section symbol is not supported`);
              }
              // SBPFv0 calls are pc-relative in the file; the loader turns them into hashed keys.
              const rel32 = r.offset / INSN_SIZE - (at / INSN_SIZE + 1);
              tview.setInt32(at + 4, rel32, true);
            }
          } else {
            throw new LinkError(`${where}: unsupported relocation type ${rel.type} in .text`);
          }
        } else {
          if (rel.type !== R_BPF_64_ABS64) {
            throw new LinkError(`${where}: unsupported relocation type ${rel.type} in read-only data`);
          }
          if ('undefinedName' in r) throw new LinkError(`${where}: undefined data symbol ${r.undefinedName}`);
          if (r.kind === 'text') throw new LinkError(`${where}: function pointers in data are not supported`);
          rview.setBigUint64(at, vm(r, rview.getBigUint64(at, true)), true);
        }
      }
    }
  }

  for (let pc = 0; pc < textSize; pc += INSN_SIZE) {
    if (text[pc] === OP_CALLX)
      throw new LinkError(`indirect call (callx) at .text+0x${pc.toString(16)} is not supported`);
    if (text[pc] === OP_LDDW) pc += INSN_SIZE;
  }

  const e = globals.get(entry);
  if (!e) throw new LinkError(`entry symbol ${entry} is not defined`);
  const er = resolveDefined(e.obj, e.sym);
  if (er.kind !== 'text' || !er.isFunction) throw new LinkError(`entry symbol ${entry} is not a function`);
  return { text, rodata, rodataAlign, entryOffset: er.offset, syscalls, ...layout };
}
