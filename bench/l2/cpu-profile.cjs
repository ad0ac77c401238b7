// Preload for `paraloom node` under bench:l2 (BENCH_L2_CPU_PROF=<dir>): --cpu-prof is not allowed in
// NODE_OPTIONS, so this starts the V8 sampling profiler through the inspector and writes a
// .cpuprofile (Chrome DevTools, speedscope) into the directory when the process exits.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const dir = process.env.BENCH_L2_CPU_PROF_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  process.once('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `node-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
