import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { formatUsd, formatUsd2 } from '@/lib/format';
import type { RevenueAnalysis } from '@/lib/services/persona-sets';

/** Revenue per persona: share of revenue, average order value, orders and revenue per customer, top products. */
export function RevenuePanel({ revenue, personas }: { revenue: RevenueAnalysis; personas: { id: string; name: string; color: string; share: number }[] }) {
  const byId = new Map(revenue.personas.map((p) => [p.personaId, p]));
  return (
    <div className="space-y-3" data-testid="revenue-panel">
      <p className="text-sm text-muted-foreground">
        {formatUsd(revenue.totalRevenue)} from {revenue.totalOrders.toLocaleString('en-US')} orders by {revenue.customers.toLocaleString('en-US')} customers in
        this set.
      </p>
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Persona</TableHead>
            <TableHead>Share of revenue</TableHead>
            <TableHead className="text-right whitespace-normal">Avg order value</TableHead>
            <TableHead className="text-right whitespace-normal">Orders per customer</TableHead>
            <TableHead className="text-right whitespace-normal">Revenue per customer</TableHead>
            <TableHead>Top products</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {personas.map((p) => {
            const r = byId.get(p.id);
            if (!r) return null;
            const lift = p.share > 0 ? r.revenueShare / p.share : 0;
            return (
              <TableRow key={p.id}>
                <TableCell className="max-w-48 font-medium whitespace-normal">
                  <span className="flex items-center gap-1.5">
                    <span aria-hidden className="inline-block size-2.5 shrink-0 rounded-sm" style={{ background: p.color }} />
                    {p.name}
                  </span>
                </TableCell>
                <TableCell>
                  <div className="flex items-center gap-2">
                    <span className="relative h-2.5 w-24 overflow-hidden rounded-sm bg-muted">
                      <span className="absolute inset-y-0 left-0" style={{ width: `${r.revenueShare * 100}%`, background: p.color }} />
                    </span>
                    <span className="tabular-nums">{(r.revenueShare * 100).toFixed(1)}%</span>
                  </div>
                  <div className="text-xs text-muted-foreground">
                    {lift >= 1.1 ? `${lift.toFixed(1)}× its share of people` : lift <= 0.9 ? `less than its ${(p.share * 100).toFixed(0)}% of people` : 'in line with its size'}
                  </div>
                </TableCell>
                <TableCell className="text-right tabular-nums">{formatUsd2(r.aov)}</TableCell>
                <TableCell className="text-right tabular-nums">{r.ordersPerCustomer.toFixed(2)}</TableCell>
                <TableCell className="text-right tabular-nums">{formatUsd(r.revenuePerCustomer)}</TableCell>
                <TableCell className="w-56 max-w-56 whitespace-normal">
                  {r.topProducts.length ? (
                    <ol className="space-y-0.5 text-xs">
                      {r.topProducts.slice(0, 3).map((t) => (
                        <li key={t.product} className="flex justify-between gap-2">
                          <span className="truncate">{t.product}</span>
                          <span className="shrink-0 tabular-nums text-muted-foreground">{(t.share * 100).toFixed(0)}%</span>
                        </li>
                      ))}
                    </ol>
                  ) : (
                    <span className="text-xs text-muted-foreground">No orders</span>
                  )}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
