// What a server action answers, as components see it. Components receive actions as props (never import app/),
// so they describe the action they need structurally; the page that passes the real action is type-checked against it.

export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: string; fieldErrors?: Record<string, string[]> };

export type ServerAction<I, O> = (input: I) => Promise<ActionResult<O>>;
