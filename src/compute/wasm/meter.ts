import { ComputeError } from '../errors.js';
import { MAX_CALL_DEPTH, MAX_FUEL } from '../limits.js';
import {
  ALLOWED_FEATURES,
  binaryen,
  childrenOf,
  definedFunctions,
  type ExpressionRef,
  type Module,
  mutate,
} from './binaryen.js';
import { FUEL_GLOBAL } from './host-api.js';

// Fuel metering by rewriting the module (docs/protocol.md §Compute jobs, "Metering").
//
// Every block's children are cut into straight-line segments: a segment ends after a child that
// holds any control flow (block, loop, if, br, br_if, br_table, return, call). At the start of each
// segment the instrumenter inserts "fuel -= cost; if fuel < 0: trap", where cost counts every
// instruction of the segment except those inside nested blocks, which charge for themselves. Loop
// bodies, if arms and function bodies are wrapped in blocks first, so each loop iteration, each
// taken arm and each call pays at its own start. Charging a segment before it runs means a branch
// out of its middle pays for instructions it skipped: conservative, and the same on every executor.
//
// Call depth is counted too (a wrapper per function increments and decrements a global), because
// the engine's own stack limit differs between V8 versions and would make results differ.

const DEPTH_GLOBAL = '__paraloom_depth';
// Inside the reserved prefix, so no name of the job itself can collide with a wrapper.
const WRAPPER_PREFIX = '__paraloom_enter$';
const CONTROL_IDS = new Set<number>([
  binaryen.BlockId,
  binaryen.LoopId,
  binaryen.IfId,
  binaryen.BreakId,
  binaryen.SwitchId,
  binaryen.ReturnId,
  binaryen.CallId,
  binaryen.CallIndirectId,
  binaryen.UnreachableId,
]);

/** binaryen 132 takes one bigint for i64.const; its type declarations still show (low, high). */
function i64Const(m: Module, value: bigint): ExpressionRef {
  return (m.i64.const as unknown as (v: bigint) => ExpressionRef)(value);
}

class Instrumenter {
  constructor(
    private readonly m: Module,
    private readonly wrapperOf: ReadonlyMap<string, string>,
  ) {}

  charge(cost: number): ExpressionRef {
    const m = this.m;
    return m.block(null, [
      m.global.set(
        FUEL_GLOBAL,
        m.i64.sub(m.global.get(FUEL_GLOBAL, binaryen.i64), i64Const(m, BigInt(cost))),
      ),
      m.if(m.i64.lt_s(m.global.get(FUEL_GLOBAL, binaryen.i64), i64Const(m, 0n)), m.unreachable()),
    ]);
  }

  /** Makes `expr` a block so it can carry a charge at its start. */
  asBlock(expr: ExpressionRef): ExpressionRef {
    if (binaryen.getExpressionId(expr) === binaryen.BlockId) return expr;
    return this.m.block(null, [expr], binaryen.getExpressionType(expr));
  }

  /** Instructions in `expr` that are paid for by the enclosing segment (nested blocks pay themselves). */
  cost(expr: ExpressionRef): number {
    let total = 0;
    const stack = [expr];
    while (stack.length > 0) {
      const e = stack.pop()!;
      total++;
      if (binaryen.getExpressionId(e) === binaryen.BlockId) continue;
      stack.push(...childrenOf(e));
    }
    return total;
  }

  hasControl(expr: ExpressionRef): boolean {
    const stack = [expr];
    while (stack.length > 0) {
      const e = stack.pop()!;
      if (CONTROL_IDS.has(binaryen.getExpressionId(e))) return true;
      if (binaryen.getExpressionId(e) !== binaryen.BlockId) stack.push(...childrenOf(e));
    }
    return false;
  }

  /** Rewrites loops, ifs and calls below `root`, then charges every block. Iterative: no recursion. */
  instrument(root: ExpressionRef): void {
    const blocks: ExpressionRef[] = [];
    const stack = [root];
    while (stack.length > 0) {
      const e = stack.pop()!;
      const id = binaryen.getExpressionId(e);
      if (id === binaryen.LoopId) {
        mutate.Loop.setBody(e, this.asBlock(mutate.Loop.getBody(e)));
      } else if (id === binaryen.IfId) {
        mutate.If.setIfTrue(e, this.asBlock(mutate.If.getIfTrue(e)));
        const ifFalse = mutate.If.getIfFalse(e);
        if (ifFalse) mutate.If.setIfFalse(e, this.asBlock(ifFalse));
      } else if (id === binaryen.CallId) {
        const wrapper = this.wrapperOf.get(mutate.Call.getTarget(e));
        if (wrapper) mutate.Call.setTarget(e, wrapper);
      } else if (id === binaryen.BlockId) {
        blocks.push(e);
      }
      stack.push(...childrenOf(e));
    }
    for (const block of blocks) this.chargeBlock(block);
  }

  private chargeBlock(block: ExpressionRef): void {
    const children = mutate.Block.getChildren(block);
    const segments: { start: number; cost: number }[] = [];
    let current: { start: number; cost: number } | undefined;
    children.forEach((child, i) => {
      current ??= { start: i, cost: 0 };
      current.cost += this.cost(child);
      if (this.hasControl(child)) {
        segments.push(current);
        current = undefined;
      }
    });
    if (current) segments.push(current);
    for (const seg of segments.reverse()) mutate.Block.insertChildAt(block, seg.start, this.charge(seg.cost));
  }
}

/** A function that counts call depth around a call to `target`, so recursion traps deterministically. */
function addDepthWrapper(m: Module, target: string, wrapper: string): void {
  const info = binaryen.getFunctionInfo(m.getFunction(target));
  const params = binaryen.expandType(info.params);
  const args = params.map((t, i) => m.local.get(i, t));
  const depth = () => m.global.get(DEPTH_GLOBAL, binaryen.i32);
  const enter = [
    m.global.set(DEPTH_GLOBAL, m.i32.add(depth(), m.i32.const(1))),
    m.if(m.i32.gt_u(depth(), m.i32.const(MAX_CALL_DEPTH)), m.unreachable()),
  ];
  const leave = m.global.set(DEPTH_GLOBAL, m.i32.sub(depth(), m.i32.const(1)));
  const call = m.call(target, args, info.results);
  if (info.results === binaryen.none) {
    m.addFunction(wrapper, info.params, info.results, [], m.block(null, [...enter, call, leave]));
    return;
  }
  const tmp = params.length;
  m.addFunction(
    wrapper,
    info.params,
    info.results,
    [info.results],
    m.block(null, [...enter, m.local.set(tmp, call), leave, m.local.get(tmp, info.results)], info.results),
  );
}

/** Points table entries at the depth-counting wrappers, so indirect calls are counted too. */
function retargetElements(m: Module, wrapperOf: ReadonlyMap<string, string>): void {
  const segments = [];
  for (let i = 0; i < m.getNumElementSegments(); i++) {
    segments.push(binaryen.getElementSegmentInfo(m.getElementSegmentByIndex(i)));
  }
  for (const seg of segments) {
    const offset = m.copyExpression(seg.offset);
    m.removeElementSegment(seg.name);
    const names = seg.data.map((n) => wrapperOf.get(n) ?? n);
    m.addActiveElementSegment(seg.table, seg.name, names, offset);
  }
}

/**
 * Instruments a validated module in place: adds the fuel global (initialised to `fuelLimit` and
 * exported as __paraloom_fuel so the host reads what is left), charges every segment, counts call
 * depth. Returns the instrumented binary.
 */
export function instrumentModule(m: Module, fuelLimit: bigint): Uint8Array {
  if (fuelLimit <= 0n || fuelLimit > MAX_FUEL) {
    throw new ComputeError('JOB_LIMIT_EXCEEDED', `fuel limit must be in 1..${MAX_FUEL}`, {
      fuelLimit: fuelLimit.toString(),
    });
  }
  m.addGlobal(FUEL_GLOBAL, binaryen.i64, true, i64Const(m, fuelLimit));
  m.addGlobalExport(FUEL_GLOBAL, FUEL_GLOBAL);
  m.addGlobal(DEPTH_GLOBAL, binaryen.i32, true, m.i32.const(0));

  const functions = definedFunctions(m).map((f) => binaryen.getFunctionInfo(f).name);
  const wrapperOf = new Map(functions.map((name) => [name, `${WRAPPER_PREFIX}${name}`]));
  const instrumenter = new Instrumenter(m, wrapperOf);
  for (const name of functions) {
    const fn = m.getFunction(name);
    const body = instrumenter.asBlock(mutate.Function.getBody(fn));
    mutate.Function.setBody(fn, body);
    instrumenter.instrument(body);
  }
  for (const [target, wrapper] of wrapperOf) addDepthWrapper(m, target, wrapper);
  retargetElements(m, wrapperOf);

  m.setFeatures(ALLOWED_FEATURES);
  if (!m.validate()) throw new ComputeError('WASM_INVALID', 'instrumented module failed validation');
  return m.emitBinary();
}
