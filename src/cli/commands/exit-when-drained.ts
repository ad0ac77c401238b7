/**
 * A command's last act once everything it started has stopped: the process should now end by
 * itself, its event loop empty. If something (a library's worker, timer or socket) still holds the
 * loop a second later, say what, and exit anyway with the status set so far: a stopped network must
 * not hang a terminal or a CI job. The timer does not hold the loop itself.
 */
export function exitWhenDrained(report: (line: string) => void, graceMs = 1_000): void {
  setTimeout(() => {
    const holders = process.getActiveResourcesInfo().filter((r) => r !== 'TTYWrap');
    report(`everything stopped, but ${holders.join(', ') || 'something'} still held the process: exiting`);
    process.exit();
  }, graceMs).unref();
}
