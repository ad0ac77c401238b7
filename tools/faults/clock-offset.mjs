// Preloaded into one validator of a fault scenario (NODE_OPTIONS=--import <this file>): its wall
// clock reads PARALOOM_FAULT_CLOCK_OFFSET_MS ahead (or behind) the machine's, as a host with a
// drifted clock would. Only Date moves; monotonic time (performance.now, timers) does not, as on
// a real host whose NTP is off.
const offset = Number(process.env.PARALOOM_FAULT_CLOCK_OFFSET_MS ?? 0);
if (Number.isFinite(offset) && offset !== 0) {
  const RealDate = Date;
  const realNow = RealDate.now.bind(RealDate);
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(realNow() + offset);
      else super(...args);
    }
    static now() {
      return realNow() + offset;
    }
  }
  globalThis.Date = ShiftedDate;
}
