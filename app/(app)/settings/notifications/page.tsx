import Link from 'next/link';
import { ChevronLeft } from 'lucide-react';
import { NotifyApiSetsSwitch } from '@/components/personas/notify-api-sets-switch';
import { PageHeader } from '@/components/shell/app-shell';
import { Card } from '@/components/ui/card';
import { requireTenant } from '@/lib/auth';
import { getNotificationSettings } from '@/lib/services/persona-sets';
import { setNotifyApiSetsReadyAction } from './actions';

export const metadata = { title: 'Notifications' };

export default async function NotificationsPage() {
  const { tenant } = await requireTenant();
  const settings = await getNotificationSettings(tenant);
  return (
    <>
      <Link href="/settings" className="mb-2 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ChevronLeft aria-hidden className="size-4" /> Settings
      </Link>
      <PageHeader title="Notifications" description="The emails Facet sends you." />
      <Card className="max-w-2xl gap-4 p-5">
        <p className="text-sm">
          You always get an email when a persona set you created is ready (or could not be built), and when a set you created or watch drifts.
        </p>
        <NotifyApiSetsSwitch checked={settings.notifyApiSetsReady} setNotifyApiSetsReadyAction={setNotifyApiSetsReadyAction} />
      </Card>
    </>
  );
}
