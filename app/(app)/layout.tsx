import { AppShell } from '@/components/shell/app-shell';
import { requireViewer } from '@/lib/auth';
import { resendConfirmationAction, signOutAction } from '../(auth)/actions';

export const dynamic = 'force-dynamic';

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const viewer = await requireViewer();
  return (
    <AppShell viewer={viewer} signOut={signOutAction} resendConfirmation={resendConfirmationAction}>
      {children}
    </AppShell>
  );
}
