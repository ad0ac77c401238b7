// Summarizes a .cpuprofile written under BENCH_L2_CPU_PROF: without a window, the share of busy
// (non-idle) samples per second of the process's life; with `<from s> <to s>`, the busiest functions
// in that window by self time and by inclusive time (function and file).
//   node bench/l2/cpu-profile-summary.mjs <file.cpuprofile> [from to]
import { readFileSync } from 'node:fs';

const [file, fromArg, toArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/l2/cpu-profile-summary.mjs <file.cpuprofile> [from to]');
  process.exit(2);
}
const p = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const seconds = [];
let elapsedUs = 0;
for (const d of p.timeDeltas) {
  elapsedUs += d;
  seconds.push(elapsedUs / 1e6);
}
const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
const where = (n) =>
  `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').slice(-2).join('/')}`;

if (fromArg === undefined) {
  const perSecond = new Map();
  seconds.forEach((s, i) => {
    const e = perSecond.get(Math.floor(s)) ?? [0, 0];
    e[0]++;
    if (!idle.has(p.samples[i])) e[1]++;
    perSecond.set(Math.floor(s), e);
  });
  for (const [s, [all, busy]] of perSecond) console.log(`${s}s ${Math.round((100 * busy) / all)}% busy`);
} else {
  const from = Number(fromArg);
  const to = Number(toArg);
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  seconds.forEach((s, i) => {
    if (s < from || s > to) return;
    total++;
    const leaf = byId.get(p.samples[i]);
    self.set(where(leaf), (self.get(where(leaf)) ?? 0) + 1);
    const seen = new Set();
    for (let id = p.samples[i]; id !== undefined; id = parent.get(id)) {
      const w = where(byId.get(id));
      if (seen.has(w)) continue;
      seen.add(w);
      inclusive.set(w, (inclusive.get(w) ?? 0) + 1);
    }
  });
  const top = (m, n) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, c]) => `${((100 * c) / total).toFixed(1).padStart(5)} ${k}`);
  console.log(`samples ${total}\n--- self`);
  console.log(top(self, 30).join('\n'));
  console.log('--- inclusive');
  console.log(top(inclusive, 50).join('\n'));
}
