import { redirect } from 'next/navigation';
import { getViewer } from '@/lib/auth';
import { signInAction } from '../actions';
import { AuthForm } from '../auth-form';

export const metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  if (await getViewer()) redirect('/persona-sets');
  const { next } = await searchParams;
  return (
    <AuthForm
      mode="sign-in"
      action={signInAction}
      next={next}
      fields={[
        { name: 'email', label: 'Email', type: 'email', autoComplete: 'email' },
        { name: 'password', label: 'Password', type: 'password', autoComplete: 'current-password' },
      ]}
      hint={
        <p className="rounded-md bg-muted px-3 py-2 text-xs text-muted-foreground">
          Demo account: <span className="font-mono">demo@facet.local</span> /{' '}
          <span className="font-mono">facet-demo-2026</span>
        </p>
      }
    />
  );
}
