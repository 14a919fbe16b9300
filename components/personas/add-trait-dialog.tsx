'use client';

import * as React from 'react';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Plus, Search } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from '@/components/ui/dialog';
import { Input } from '@/components/ui/input';
import type { TraitOption } from '@/lib/services/persona-sets';

/** "Add trait": a searchable list of every catalog and custom trait; the choice goes into the URL (shareable). */
export function AddTraitDialog({ traits, shown }: { traits: TraitOption[]; shown: string[] }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [open, setOpen] = React.useState(false);
  const [query, setQuery] = React.useState('');
  const [pending, start] = React.useTransition();
  const q = query.trim().toLowerCase();
  const hidden = new Set(shown);
  const list = traits.filter((t) => !hidden.has(t.key) && (!q || t.label.toLowerCase().includes(q) || t.description.toLowerCase().includes(q) || t.key.includes(q)));

  const add = (key: string) => {
    const next = new URLSearchParams(params.toString());
    const added = (next.get('traits') ?? '').split(',').filter(Boolean);
    next.set('traits', [...added.filter((k) => k !== key), key].join(','));
    next.set('tab', 'analysis');
    setOpen(false);
    setQuery('');
    start(() => router.push(`${pathname}?${next.toString()}`, { scroll: false }));
  };

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button disabled={pending}>
          <Plus aria-hidden /> {pending ? 'Adding trait…' : 'Add trait'}
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-lg">
        <DialogHeader>
          <DialogTitle>Add a trait to compare</DialogTitle>
          <DialogDescription>Any trait of the identity graph or of your datasets, compared across the personas.</DialogDescription>
        </DialogHeader>
        <div className="relative">
          <Search aria-hidden className="absolute top-2.5 left-2.5 size-4 text-muted-foreground" />
          <Input type="search" aria-label="Search traits" placeholder="Search traits, e.g. dog" value={query} onChange={(e) => setQuery(e.target.value)} className="pl-8" autoFocus />
        </div>
        <ul className="max-h-80 space-y-0.5 overflow-y-auto" aria-label="Traits">
          {list.length === 0 ? <li className="p-2 text-sm text-muted-foreground">No trait matches.</li> : null}
          {list.map((t) => (
            <li key={t.key}>
              <button
                type="button"
                onClick={() => add(t.key)}
                className="w-full rounded-md px-2 py-1.5 text-left text-sm outline-none hover:bg-accent focus-visible:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
              >
                <span className="font-medium">{t.label}</span>
                <span className="ml-2 text-xs text-muted-foreground">
                  {t.source === 'custom' ? 'your data' : t.category} · {t.type}
                </span>
                <span className="block truncate text-xs text-muted-foreground">{t.description}</span>
              </button>
            </li>
          ))}
        </ul>
      </DialogContent>
    </Dialog>
  );
}
