import { Worker } from 'node:worker_threads';
import os from 'node:os';
import { WORKER_SOURCE, getLocalOps, makeArena } from './kernels';

/** Runs a kernel op over row ranges, in worker threads or in this thread. */
export interface Executor {
  readonly threads: number;
  /** split [0, n) into one range per thread and run `op` on each; results in range order */
  map(op: string, args: Record<string, unknown>, n: number): Promise<Record<string, unknown>[]>;
  /**
   * split [0, n) over the worker threads only and run `op` there while this thread goes on with other work;
   * resolves when they are done (at once, doing nothing, when there are no workers)
   */
  background(op: string, args: Record<string, unknown>, n: number): Promise<void>;
  close(): Promise<void>;
}

export function defaultThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(cores, 8));
}

class LocalExecutor implements Executor {
  readonly threads = 1;
  async map(op: string, args: Record<string, unknown>, n: number) {
    const fn = getLocalOps()[op];
    return [fn({ ...args, i0: 0, i1: n })];
  }
  async background() {}
  async close() {}
}

interface Pending {
  resolve: (r: Record<string, unknown>) => void;
  reject: (e: Error) => void;
}

/**
 * `threads` threads share each op: the calling thread computes the first row range itself while
 * threads - 1 workers compute the others, so no thread sits idle waiting and one worker runtime
 * (about 8 MB) is saved.
 */
let callerWarm = false;

class WorkerExecutor implements Executor {
  private workers: Worker[] = [];
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(readonly threads: number) {
    for (let t = 1; t < threads; t++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 64 } });
      w.unref();
      w.on('message', (msg: { id: number; r?: Record<string, unknown>; error?: string }) => {
        const p = this.pending.get(msg.id);
        if (!p) return;
        this.pending.delete(msg.id);
        if (msg.error) p.reject(new Error(`clustering worker failed: ${msg.error}`));
        else p.resolve(msg.r!);
      });
      w.on('error', (err) => this.failAll(err));
      // first message: optimize the kernels while the caller prepares its data
      w.postMessage({ id: 0, op: 'warm', args: {} });
      this.workers.push(w);
    }
    // this thread takes a share of every op too: optimize its kernels once per process, beside the workers
    if (!callerWarm) {
      getLocalOps().warm({});
      callerWarm = true;
    }
  }

  private failAll(err: Error) {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private post(worker: number, op: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[worker].postMessage({ id, op, args });
    });
  }

  async background(op: string, args: Record<string, unknown>, n: number) {
    if (this.closed) throw new Error('executor closed');
    const w = this.workers.length;
    await Promise.all(
      this.workers.map((_, t) => this.post(t, op, { ...args, i0: Math.floor((n * t) / w), i1: Math.floor((n * (t + 1)) / w) })),
    );
  }

  async map(op: string, args: Record<string, unknown>, n: number) {
    if (this.closed) throw new Error('executor closed');
    const parts = Math.min(this.threads, Math.max(1, n));
    const range = (t: number) => [Math.floor((n * t) / parts), Math.floor((n * (t + 1)) / parts)];
    const jobs: Promise<Record<string, unknown>>[] = [];
    for (let t = 1; t < parts; t++) {
      const [i0, i1] = range(t);
      jobs.push(this.post(t - 1, op, { ...args, i0, i1 }));
    }
    const [i0, i1] = range(0);
    let own: Record<string, unknown>;
    try {
      own = getLocalOps()[op]({ ...args, i0, i1 });
    } catch (err) {
      await Promise.allSettled(jobs);
      throw err;
    }
    return [own, ...(await Promise.all(jobs))];
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers = [];
  }
}

/** Below this many rows threads cost more than they save. */
export const MIN_ROWS_FOR_THREADS = 50_000;

export function createExecutor(threads: number | undefined, n: number): Executor {
  const t = Math.max(1, Math.floor(threads ?? defaultThreads()));
  if (t <= 1 || n < MIN_ROWS_FOR_THREADS) return new LocalExecutor();
  return new WorkerExecutor(t);
}

export function localExecutor(): Executor {
  return new LocalExecutor();
}

/** Typed arrays handed to workers must live in shared memory. */
export function isShared(a: ArrayBufferView): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;
}

export function sharedFloat32(len: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, len) * 4), 0, len);
}
export function sharedInt32(len: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, len) * 4), 0, len);
}

const arenas = new WeakMap<ArrayBufferLike, WebAssembly.Memory>();

/**
 * A row-major Float32 matrix of `rows` x `d` that the SIMD kernels read in place: it lives in a shared
 * WebAssembly memory beside the kernels' scratch, so no thread copies its rows. Falls back to a plain
 * SharedArrayBuffer (rows then copied in by chunks) below MIN_ROWS_FOR_THREADS rows, or when such a
 * memory cannot be had, e.g. above 4 GB.
 */
export function allocMatrix(rows: number, d: number): Float32Array {
  const len = rows * d;
  // small matrices are fitted in one thread, where copying costs little; each arena reserves address space
  const arena = len > 0 && rows >= MIN_ROWS_FOR_THREADS ? makeArena(len, d) : null;
  if (!arena) return sharedFloat32(len);
  arenas.set(arena.X.buffer, arena.mem);
  return arena.X;
}

/** The WebAssembly memory of a matrix from allocMatrix (passed to the kernels as `mem`), or null. */
export function arenaOf(X: Float32Array): WebAssembly.Memory | null {
  return arenas.get(X.buffer) ?? null;
}

/** Shared copy of a matrix when the executor is threaded and the matrix is not shared yet. */
export function ensureShared(ex: Executor, X: Float32Array, d: number): Float32Array {
  if (ex.threads <= 1 || isShared(X)) return X;
  const S = allocMatrix(Math.ceil(X.length / Math.max(1, d)), d);
  S.set(X);
  return S;
}
