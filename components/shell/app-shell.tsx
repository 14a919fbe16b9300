import Link from 'next/link';
import { LogOut } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { AccountBanner } from './account-banner';
import { NavLinks } from './nav-links';

export function AppShell({
  viewer,
  signOut,
  resendConfirmation,
  children,
}: {
  viewer: { name: string; email: string; accountName: string; isDemo: boolean; emailVerified: boolean; demoReadOnly: boolean };
  signOut: () => Promise<void>;
  resendConfirmation: React.ComponentProps<typeof AccountBanner>['resendConfirmation'];
  children: React.ReactNode;
}) {
  return (
    <div className="flex min-h-screen">
      <aside className="sticky top-0 flex h-screen w-56 shrink-0 flex-col border-r bg-card px-3 py-4">
        <Link href="/persona-sets" className="mb-6 flex items-center gap-2 px-3 text-lg font-semibold tracking-tight">
          <span aria-hidden className="inline-block size-6 rounded-md bg-primary" />
          Facet
        </Link>
        <NavLinks />
        <div className="mt-auto space-y-3 border-t px-3 pt-4 text-sm">
          <div>
            <div className="font-medium" data-testid="account-name">
              {viewer.accountName}
            </div>
            <div className="truncate text-xs text-muted-foreground">{viewer.email}</div>
            {viewer.isDemo ? (
              <Badge variant="secondary" className="mt-1">
                Demo data
              </Badge>
            ) : null}
          </div>
          <form action={signOut}>
            <Button type="submit" variant="ghost" size="sm" className="w-full justify-start gap-2 px-2">
              <LogOut className="size-4" aria-hidden /> Sign out
            </Button>
          </form>
        </div>
      </aside>
      <main className="min-w-0 flex-1 px-8 py-6">
        <AccountBanner
          demoReadOnly={viewer.demoReadOnly}
          unconfirmedEmail={viewer.emailVerified ? null : viewer.email}
          resendConfirmation={resendConfirmation}
        />
        {children}
      </main>
    </div>
  );
}

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: React.ReactNode;
  actions?: React.ReactNode;
}) {
  return (
    <div className="mb-6 flex items-start justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="mt-1 text-sm text-muted-foreground">{description}</p> : null}
      </div>
      {actions ? <div className="flex shrink-0 items-center gap-2">{actions}</div> : null}
    </div>
  );
}
