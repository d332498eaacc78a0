import type { Logger } from './logger.js';

/**
 * How a process of ours (server node, worker) lives and ends: one place for its policy on failures nobody
 * handled, for watching the launcher that started it, and for stopping within a bound.
 */

/**
 * - An unhandled rejection is logged (error level, with the error) and the process keeps serving. A promise
 *   rejects when one operation failed — most often a Redis call during an outage; its own code has already
 *   unwound through every `await`, each of which is a point where our code expects the world to change, so
 *   the failure means a missing handler (a bug to fix), not memory in an unknown state. Exiting would turn
 *   one lost push into thousands of dropped connections (issue 7).
 * - An uncaught exception is logged and the process exits (code 1). It was thrown synchronously through code
 *   that expected no throw there, possibly halfway through updating in-memory state (a room's sockets, a
 *   buffer, a rate bucket); serving on from that state could be wrong in ways nobody sees. A crash is
 *   visible and a supervisor restarts the node in a clean state.
 * The test of issue 7 reads these exact messages from the logs: keep them in step with POLICY_LINE in
 * test/chaos/outage-scenario.ts.
 */
export function installProcessPolicy(log: Logger): void {
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection');
  });
  process.on('uncaughtException', (err, origin) => {
    log.fatal({ err, origin }, 'uncaught exception: exiting');
    process.exit(1);
  });
}

/**
 * Runs `stop` once, on the first of: SIGINT, SIGTERM, or the launcher that started this process going away.
 * A second signal while stopping exits at once (code 1), so an operator who asks twice is never ignored.
 *
 * The launcher (`npm start`, scripts/start.ts) spawns us with an IPC channel. The kernel closes the
 * launcher's end of it when the launcher dies, however it dies (`kill -9` included), and Node emits
 * `disconnect` at once, so a server or worker never outlives it. Polling `process.ppid` instead would notice
 * only at the next poll and keep a timer for the life of the process. Started without a channel (directly,
 * by Docker or systemd) there is no launcher to watch.
 */
export function onStopRequest(log: Logger, stop: (reason: string) => void): void {
  let stopping = false;
  const request = (reason: string, signal: boolean) => {
    if (stopping) {
      if (!signal) return;
      log.warn({ reason }, 'asked again while stopping: exiting now');
      process.exit(1);
    }
    stopping = true;
    stop(reason);
  };
  process.on('SIGINT', () => request('SIGINT', true));
  process.on('SIGTERM', () => request('SIGTERM', true));
  if (process.channel) {
    process.channel.unref(); // the channel alone must not keep the process alive
    process.once('disconnect', () => request('launcher gone', false));
  }
}

/** Resolves true when `work` settles (fulfilled or rejected) within `ms`, false when time runs out first. */
export function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
    timer.unref();
  });
  const settled = work.then(
    () => true,
    () => true,
  );
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}
