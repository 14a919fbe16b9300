// Processes that `npm run dev` / `npm start` started (web, worker) exit when that supervisor is gone
// (kill -9 of it), instead of holding the port and the database for the next start.

/** Calls `onGone` once the supervisor named by FACET_SUPERVISOR_PID is no longer running. */
export function watchSupervisor(onGone: () => void, everyMs = 1000): void {
  const pid = Number(process.env.FACET_SUPERVISOR_PID);
  if (!pid) return;
  const timer = setInterval(() => {
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPERM') return;
      clearInterval(timer);
      onGone();
    }
  }, everyMs);
  timer.unref();
}
