import Link from 'next/link';
import { PageHeader } from '@/components/shell/app-shell';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requireTenant } from '@/lib/auth';
import { usesInngestServer } from '@/lib/env';
import { formatDate } from '@/lib/format';
import { listAccountMembers } from '@/lib/services/accounts';

export const metadata = { title: 'Settings' };

export default async function SettingsPage() {
  const { viewer, tenant } = await requireTenant();
  const rows = await listAccountMembers(tenant);
  return (
    <>
      <PageHeader title="Settings" description={viewer.accountName} />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Members</CardTitle>
            <CardDescription>People who can sign in to this account.</CardDescription>
          </CardHeader>
          <CardContent>
            <Table>
              <TableHeader>
                <TableRow>
                  <TableHead>Name</TableHead>
                  <TableHead>Email</TableHead>
                  <TableHead>Role</TableHead>
                  <TableHead>Since</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {rows.map((m) => (
                  <TableRow key={m.email}>
                    <TableCell>{m.name}</TableCell>
                    <TableCell>{m.email}</TableCell>
                    <TableCell>{m.role}</TableCell>
                    <TableCell>{formatDate(m.since)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Environment</CardTitle>
            <CardDescription>Where Facet keeps data and runs jobs.</CardDescription>
          </CardHeader>
          <CardContent className="space-y-2 text-sm">
            <p>
              Database: <span className="font-medium">{process.env.FACET_EMBEDDED_DB === '1' ? 'embedded PostgreSQL (.data/)' : 'PostgreSQL server'}</span>
            </p>
            <p>
              Background jobs: <span className="font-medium">{usesInngestServer ? 'Inngest server' : 'embedded runner'}</span>
            </p>
            <p className="flex gap-4 pt-2">
              <Link className="text-primary hover:underline" href="/settings/jobs">
                Jobs
              </Link>
              <Link className="text-primary hover:underline" href="/settings/mailbox">
                Mailbox
              </Link>
              <Link className="text-primary hover:underline" href="/settings/notifications">
                Notifications
              </Link>
              <Link className="text-primary hover:underline" href="/settings/api-keys">
                API keys
              </Link>
            </p>
          </CardContent>
        </Card>
      </div>
    </>
  );
}
