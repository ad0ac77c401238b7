/**
 * The one shape of a long-lived part (owns a timer, socket, worker, subscription or child process).
 * `stop()` releases everything `start()` took; it is idempotent, and a no-op before `start()`.
 * A resource opened from disk instead comes from a static async `open()` and is released by `close()`.
 */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}
