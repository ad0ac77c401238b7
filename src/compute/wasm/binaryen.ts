// One place that loads binaryen and names the pieces of its API the compute module uses, so the
// rest of the module reads as WebAssembly, not as binaryen plumbing.
import binaryen from 'binaryen';

export { binaryen };

// binaryen.js ships in-place mutation helpers (Block.insertChildAt, Loop.setBody, ...) that its
// type declarations omit; these are the ones the instrumenter uses.
interface MutationApi {
  Block: {
    getChildren(block: number): number[];
    insertChildAt(block: number, index: number, child: number): void;
  };
  Loop: { getBody(loop: number): number; setBody(loop: number, body: number): void };
  If: {
    getIfTrue(expr: number): number;
    setIfTrue(expr: number, arm: number): void;
    getIfFalse(expr: number): number;
    setIfFalse(expr: number, arm: number): void;
  };
  Call: { getTarget(call: number): string; setTarget(call: number, target: string): void };
  Function: { getBody(fn: number): number; setBody(fn: number, body: number): void };
}
export const mutate = binaryen as unknown as MutationApi;
export type Module = binaryen.Module;
export type ExpressionRef = binaryen.ExpressionRef;

/** Features a job module may use: the 1.0 MVP plus the two small, deterministic additions. */
export const ALLOWED_FEATURES =
  binaryen.Features.MVP | binaryen.Features.MutableGlobals | binaryen.Features.SignExt;

// Leaves are answered without getExpressionInfo, which throws for some of them (e.g. memory.size).
const LEAF_IDS = new Set<number>([
  binaryen.NopId,
  binaryen.UnreachableId,
  binaryen.MemorySizeId,
  binaryen.LocalGetId,
  binaryen.GlobalGetId,
  binaryen.ConstId,
]);

/** Direct children of an expression, for the expression kinds a job may contain. */
export function childrenOf(expr: ExpressionRef): ExpressionRef[] {
  if (LEAF_IDS.has(binaryen.getExpressionId(expr))) return [];
  const info = binaryen.getExpressionInfo(expr);
  const anyInfo = info as unknown as Record<string, unknown>;
  const out: ExpressionRef[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'number' && v !== 0) out.push(v);
  };
  switch (info.id) {
    case binaryen.BlockId:
      for (const c of (info as binaryen.BlockInfo).children) add(c);
      break;
    case binaryen.IfId:
      add(anyInfo.condition);
      add(anyInfo.ifTrue);
      add(anyInfo.ifFalse);
      break;
    case binaryen.LoopId:
      add(anyInfo.body);
      break;
    case binaryen.CallId:
    case binaryen.CallIndirectId:
      for (const c of (info as binaryen.CallInfo).operands) add(c);
      if (info.id === binaryen.CallIndirectId) add(anyInfo.target);
      break;
    case binaryen.SelectId:
      add(anyInfo.ifTrue);
      add(anyInfo.ifFalse);
      add(anyInfo.condition);
      break;
    case binaryen.BinaryId:
      add(anyInfo.left);
      add(anyInfo.right);
      break;
    case binaryen.StoreId:
      add(anyInfo.ptr);
      add(anyInfo.value);
      break;
    case binaryen.LoadId:
      add(anyInfo.ptr);
      break;
    case binaryen.MemoryGrowId:
      add(anyInfo.delta);
      break;
    case binaryen.BreakId:
    case binaryen.SwitchId:
      add(anyInfo.condition);
      add(anyInfo.value);
      break;
    case binaryen.UnaryId:
    case binaryen.DropId:
    case binaryen.ReturnId:
    case binaryen.LocalSetId:
    case binaryen.GlobalSetId:
      add(anyInfo.value);
      break;
    default:
    // Leaves (const, local.get, global.get, memory.size, nop, unreachable) have no children;
    // note that a const's `value` is its literal, not an expression.
  }
  return out;
}

/** Every defined (not imported) function of a module. */
export function definedFunctions(module: Module): binaryen.FunctionRef[] {
  const out: binaryen.FunctionRef[] = [];
  for (let i = 0; i < module.getNumFunctions(); i++) {
    const fn = module.getFunctionByIndex(i);
    if (!binaryen.getFunctionInfo(fn).module) out.push(fn);
  }
  return out;
}
