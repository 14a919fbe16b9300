'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { Boxes, Database, Map, Settings, Users, Workflow } from 'lucide-react';
import { cn } from '@/lib/utils';

export const NAV_ITEMS = [
  { href: '/persona-sets', label: 'Persona sets', icon: Boxes },
  { href: '/cohorts', label: 'Cohorts', icon: Users },
  { href: '/datasets', label: 'Datasets', icon: Database },
  { href: '/explore', label: 'Explore', icon: Map },
  { href: '/pipelines', label: 'Pipelines', icon: Workflow },
  { href: '/settings', label: 'Settings', icon: Settings },
] as const;

export function NavLinks() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex flex-col gap-0.5">
      {NAV_ITEMS.map(({ href, label, icon: Icon }) => {
        const active = pathname === href || pathname.startsWith(`${href}/`);
        return (
          <Link
            key={href}
            href={href}
            aria-current={active ? 'page' : undefined}
            className={cn(
              'flex items-center gap-2.5 rounded-md px-3 py-2 text-sm font-medium text-muted-foreground transition-colors hover:bg-accent hover:text-accent-foreground focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring',
              active && 'bg-accent text-accent-foreground',
            )}
          >
            <Icon className="size-4" aria-hidden />
            {label}
          </Link>
        );
      })}
    </nav>
  );
}
