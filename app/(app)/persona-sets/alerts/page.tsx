import Link from 'next/link';
import { ChevronLeft } from 'lucide-react';
import { DriftAlertCard } from '@/components/personas/drift-alert-card';
import { PageHeader } from '@/components/shell/app-shell';
import { Card } from '@/components/ui/card';
import { requireTenant } from '@/lib/auth';
import { listDriftAlerts } from '@/lib/services/persona-sets';
import { resolveDriftAlertAction } from '../[id]/tracking-actions';

export const metadata = { title: 'Drift alerts' };

export default async function DriftAlertsPage() {
  const { tenant } = await requireTenant();
  const alerts = await listDriftAlerts(tenant, { limit: 100 });
  return (
    <>
      <Link href="/persona-sets" className="mb-2 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ChevronLeft aria-hidden className="size-4" /> Persona sets
      </Link>
      <PageHeader title="Drift alerts" description="Persona sets whose scoring moved away from their build, newest first." />
      {alerts.length ? (
        <div className="space-y-3">
          {alerts.map((a) => (
            <DriftAlertCard key={a.id} alert={a} showSet resolveDriftAlertAction={resolveDriftAlertAction} />
          ))}
        </div>
      ) : (
        <Card className="p-10 text-center text-sm text-muted-foreground">No drift alerts yet: every scored set still looks like its build.</Card>
      )}
    </>
  );
}
