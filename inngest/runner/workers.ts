// Worker identity: `<host>:<pid>:<random>`. A run held by a worker that is certainly gone (same host, its
// process no longer exists) is recovered at start-up without waiting for its lease to run out.
import { randomUUID } from 'node:crypto';
import os from 'node:os';

// runners of this process that have not stopped (several in tests); on globalThis for hot reloads
const g = globalThis as unknown as { __facetLiveWorkers?: Set<string> };
const live = (): Set<string> => (g.__facetLiveWorkers ??= new Set());

export function newWorkerId(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export function markWorkerLive(workerId: string): void {
  live().add(workerId);
}

export function markWorkerGone(workerId: string): void {
  live().delete(workerId);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, owned by someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True only when the worker is known to be gone: it ran on this host and its process is dead, or it ran
 * in this very process (a container restarted with the same pid) and is not one of our live runners.
 * Anything else (another host, an id of another form) is left to its lease.
 */
export function isWorkerGone(workerId: string): boolean {
  const parts = workerId.split(':');
  if (parts.length < 3) return false;
  const pid = Number(parts[parts.length - 2]);
  const host = parts.slice(0, -2).join(':');
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return !live().has(workerId);
  return !processExists(pid);
}
