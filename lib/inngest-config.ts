// The Inngest settings are checked before Facet starts: a half-configured Inngest server would otherwise fall
// back to the embedded runner without a word, and INNGEST_DEV next to the keys turns the serve endpoint's
// signature checks off (anyone could run any function through it).

type Vars = Record<string, string | undefined>;

const set = (v: string | undefined) => v !== undefined && v !== '';

/** As the Inngest SDK reads INNGEST_DEV: '1'/'true' or a URL mean dev mode; '0'/'false' or unset do not. */
export function inngestDevRequested(value: string | undefined): boolean {
  if (!set(value)) return false;
  const v = value!.trim().toLowerCase();
  return !(v === '0' || v === 'false' || v === 'undefined');
}

/** What is wrong with the Inngest settings, in one line, or undefined when nothing is. */
export function inngestConfigProblem(vars: Vars, opts: { production: boolean }): string | undefined {
  const eventKey = set(vars.INNGEST_EVENT_KEY);
  const signingKey = set(vars.INNGEST_SIGNING_KEY);
  if (eventKey !== signingKey) {
    const [has, lacks] = eventKey ? ['INNGEST_EVENT_KEY', 'INNGEST_SIGNING_KEY'] : ['INNGEST_SIGNING_KEY', 'INNGEST_EVENT_KEY'];
    return `${has} is set but ${lacks} is not: set both to run jobs on an Inngest server, or neither for the embedded runner`;
  }
  if (opts.production && inngestDevRequested(vars.INNGEST_DEV)) {
    return 'INNGEST_DEV is set in production: it turns off the signature check of /api/inngest; unset it (use INNGEST_EVENT_KEY and INNGEST_SIGNING_KEY)';
  }
  if (opts.production && eventKey && !set(vars.APP_URL)) {
    return 'APP_URL is not set: with an Inngest server, Facet serves its functions at APP_URL/api/inngest, so set it to the public address';
  }
  return undefined;
}
