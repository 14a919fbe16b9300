import { PageHeader } from '@/components/shell/app-shell';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { requireTenant } from '@/lib/auth';
import { env } from '@/lib/env';
import { formatDateTime } from '@/lib/format';
import { listMailbox } from '@/lib/services/mailbox';

export const metadata = { title: 'Mailbox' };

export default async function MailboxPage() {
  const { tenant } = await requireTenant();
  const mail = await listMailbox(tenant);
  return (
    <>
      <PageHeader
        title="Mailbox"
        description={
          env.RESEND_API_KEY
            ? 'Email sent through Resend for this account.'
            : 'No RESEND_API_KEY is set, so Facet keeps outgoing email here instead of sending it.'
        }
      />
      {mail.length === 0 ? (
        <Card className="p-10 text-center text-sm text-muted-foreground">No email yet.</Card>
      ) : (
        <div className="space-y-4">
          {mail.map((m) => (
            <Card key={m.id} data-testid="mail">
              <CardHeader>
                <CardTitle className="text-base">{m.subject}</CardTitle>
                <CardDescription>
                  To {m.to} · {formatDateTime(m.createdAt)} <Badge variant="secondary">{m.status}</Badge>
                </CardDescription>
              </CardHeader>
              <CardContent>
                <pre className="whitespace-pre-wrap font-sans text-sm">{m.text}</pre>
              </CardContent>
            </Card>
          ))}
        </div>
      )}
    </>
  );
}
