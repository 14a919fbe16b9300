import { redirect } from 'next/navigation';
import { getViewer } from '@/lib/auth';
import { demoMode } from '@/lib/env';
import { sameOriginPath } from '@/lib/redirect';
import { signInAction } from '../actions';
import { AuthForm } from '../auth-form';

export const metadata = { title: 'Sign in' };

/** The demo's credentials, where a demo account may be used (never in production without FACET_DEMO). */
function DemoHint() {
  const mode = demoMode();
  if (mode === 'off') return null;
  return (
    <div className="space-y-1 rounded-md bg-muted px-3 py-2 text-xs text-muted-foreground" data-testid="demo-hint">
      <p>
        Demo account: <span className="font-mono">demo@facet.local</span> / <span className="font-mono">facet-demo-2026</span>
      </p>
      {mode === 'read-only' ? (
        <p>
          It is a public demo: build, rename and rebuild persona sets as you like; API keys, uploads, cohorts and pipelines are
          read-only there, and it sends no email. Create an account of your own for those.
        </p>
      ) : null}
    </div>
  );
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  if (await getViewer()) redirect('/persona-sets');
  const { next } = await searchParams;
  // the action checks it again; a hostile value is not even written into the page
  const safeNext = sameOriginPath(next, '') || undefined;
  return (
    <AuthForm
      mode="sign-in"
      action={signInAction}
      next={safeNext}
      fields={[
        { name: 'email', label: 'Email', type: 'email', autoComplete: 'email' },
        { name: 'password', label: 'Password', type: 'password', autoComplete: 'current-password' },
      ]}
      hint={<DemoHint />}
    />
  );
}
