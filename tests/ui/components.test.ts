import { createElement as h } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { cn } from '@/lib/utils';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Checkbox } from '@/components/ui/checkbox';
import { FieldError } from '@/components/ui/field-error';
import { Progress } from '@/components/ui/progress';
import { Switch } from '@/components/ui/switch';
import { Tabs, TabsContent, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { Card, CardAction, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Dialog, DialogContent, DialogTitle, DialogTrigger } from '@/components/ui/dialog';
import { DropdownMenu, DropdownMenuTrigger } from '@/components/ui/dropdown-menu';
import { Select, SelectTrigger, SelectValue } from '@/components/ui/select';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { Tooltip, TooltipContent, TooltipProvider, TooltipTrigger } from '@/components/ui/tooltip';
import { Toaster, dismissToast, getToasts, toast } from '@/components/ui/toast';

/** Class list of the first element carrying `data-slot="<slot>"`. */
function classesOf(html: string, slot: string): string[] {
  const tag = html.match(new RegExp(`<[^>]*data-slot="${slot}"[^>]*>`))?.[0];
  if (!tag) throw new Error(`no element with data-slot="${slot}" in ${html}`);
  return (tag.match(/class="([^"]*)"/)?.[1] ?? '').split(/\s+/).filter(Boolean);
}

describe('cn', () => {
  it('drops falsy values and lets later Tailwind utilities win', () => {
    expect(cn('px-2 py-1', false, null, undefined, 'px-4')).toBe('py-1 px-4');
    expect(cn('bg-primary', { 'bg-destructive': true, hidden: false })).toBe('bg-destructive');
  });

  it('treats theme colours as colours, not font sizes', () => {
    // text-sm (size) and text-muted-foreground (colour) must coexist…
    expect(cn('text-sm', 'text-muted-foreground')).toBe('text-sm text-muted-foreground');
    // …while two theme colours conflict.
    expect(cn('text-muted-foreground', 'text-destructive')).toBe('text-destructive');
    expect(cn('bg-chart-1', 'bg-chart-5')).toBe('bg-chart-5');
  });
});

describe('Button', () => {
  it('renders a default button with primary styling and a visible focus ring', () => {
    const html = renderToStaticMarkup(h(Button, null, 'Save'));
    expect(html.startsWith('<button')).toBe(true);
    const cls = classesOf(html, 'button');
    expect(cls).toEqual(expect.arrayContaining(['bg-primary', 'h-9', 'focus-visible:ring-[3px]']));
    expect(html).toContain('data-variant="default"');
  });

  it('applies variant and size classes, and caller classes override conflicts', () => {
    const html = renderToStaticMarkup(
      h(Button, { variant: 'destructive', size: 'icon', className: 'size-12', 'aria-label': 'Delete' }),
    );
    const cls = classesOf(html, 'button');
    expect(cls).toContain('bg-destructive');
    expect(cls).not.toContain('bg-primary');
    expect(cls).toContain('size-12');
    expect(cls).not.toContain('size-9');
    expect(html).toContain('aria-label="Delete"');
  });

  it('asChild renders the child element with button classes', () => {
    const html = renderToStaticMarkup(
      h(Button, { asChild: true, variant: 'outline' }, h('a', { href: '/sets' }, 'Persona sets')),
    );
    expect(html).toMatch(/^<a /);
    expect(html).not.toContain('<button');
    expect(html).toContain('href="/sets"');
    expect(classesOf(html, 'button')).toContain('border-input');
  });
});

describe('Badge', () => {
  it.each([
    ['success', 'bg-success'],
    ['warning', 'bg-warning'],
    ['destructive', 'bg-destructive'],
    ['outline', 'text-foreground'],
  ] as const)('variant %s uses %s', (variant, expected) => {
    const html = renderToStaticMarkup(h(Badge, { variant }, 'Ready'));
    expect(classesOf(html, 'badge')).toContain(expected);
    expect(html).toContain(`data-variant="${variant}"`);
  });
});

describe('Progress', () => {
  it('exposes the value accessibly and sizes the indicator', () => {
    const html = renderToStaticMarkup(h(Progress, { value: 40, 'aria-label': 'Clustering' }));
    expect(html).toContain('role="progressbar"');
    expect(html).toContain('aria-valuenow="40"');
    expect(html).toContain('aria-valuemin="0"');
    expect(html).toContain('aria-valuemax="100"');
    expect(html).toContain('aria-label="Clustering"');
    expect(html).toContain('translateX(-60%)');
  });

  it('clamps out-of-range values and supports a custom max', () => {
    expect(renderToStaticMarkup(h(Progress, { value: 150 }))).toContain('aria-valuenow="100"');
    const html = renderToStaticMarkup(h(Progress, { value: 3, max: 12 }));
    expect(html).toContain('aria-valuenow="3"');
    expect(html).toContain('aria-valuemax="12"');
    expect(html).toContain('translateX(-75%)');
  });

  it('is indeterminate without a value', () => {
    const html = renderToStaticMarkup(h(Progress, null));
    expect(html).toContain('data-state="indeterminate"');
    expect(html).not.toContain('aria-valuenow');
  });
});

describe('form bits', () => {
  it('FieldError renders nothing without a message and an alert with one', () => {
    expect(renderToStaticMarkup(h(FieldError, { message: undefined }))).toBe('');
    expect(renderToStaticMarkup(h(FieldError, { message: [] }))).toBe('');
    const html = renderToStaticMarkup(h(FieldError, { id: 'name-error', message: 'Name is required' }));
    expect(html).toContain('role="alert"');
    expect(html).toContain('id="name-error"');
    expect(html).toContain('Name is required');
    expect(classesOf(html, 'field-error')).toContain('text-destructive');
  });

  it('Checkbox is a native checkbox and reports the mixed state', () => {
    const html = renderToStaticMarkup(h(Checkbox, { id: 'all', indeterminate: true, 'aria-label': 'Select all' }));
    expect(html).toContain('type="checkbox"');
    expect(html).toContain('aria-checked="mixed"');
    expect(html).toContain('id="all"');
  });

  it('Switch exposes role=switch and its state', () => {
    const html = renderToStaticMarkup(h(Switch, { defaultChecked: true, 'aria-label': 'Dark mode' }));
    expect(html).toContain('role="switch"');
    expect(html).toContain('aria-checked="true"');
    expect(html).toContain('data-state="checked"');
  });

  it('Tabs wire triggers to panels', () => {
    const html = renderToStaticMarkup(
      h(
        Tabs,
        { defaultValue: 'overview' },
        h(TabsList, null, h(TabsTrigger, { value: 'overview' }, 'Overview'), h(TabsTrigger, { value: 'traits' }, 'Traits')),
        h(TabsContent, { value: 'overview' }, 'Overview panel'),
      ),
    );
    expect(html).toContain('role="tablist"');
    expect(html).toMatch(/role="tab"[^>]*aria-selected="true"[^>]*data-state="active"/);
    expect(html).toContain('role="tabpanel"');
    expect(html).toContain('Overview panel');
  });
});

describe('composites render on the server', () => {
  it('Card, Table, Select, Dialog, DropdownMenu, Tooltip and Toaster', () => {
    const html = renderToStaticMarkup(
      h(
        TooltipProvider,
        null,
        h(Card, null, h(CardHeader, null, h(CardTitle, null, 'Personas'), h(CardAction, null, 'menu')), h(CardContent, null,
          h(Table, null,
            h(TableHeader, null, h(TableRow, null, h(TableHead, null, 'Name'))),
            h(TableBody, null, h(TableRow, null, h(TableCell, null, 'Budget Explorers'))),
          ),
        )),
        h(Select, { defaultValue: 'k4' }, h(SelectTrigger, { 'aria-label': 'Cluster count' }, h(SelectValue, { placeholder: 'k' }))),
        h(Dialog, null, h(DialogTrigger, null, 'Rename'), h(DialogContent, null, h(DialogTitle, null, 'Rename set'))),
        h(DropdownMenu, null, h(DropdownMenuTrigger, null, 'Actions')),
        h(Tooltip, null, h(TooltipTrigger, null, 'Info'), h(TooltipContent, null, 'Silhouette score')),
        h(Toaster),
      ),
    );
    expect(html).toContain('data-slot="card-action"');
    expect(html).toContain('Budget Explorers');
    expect(html).toMatch(/role="combobox"[^>]*data-slot="select-trigger"|data-slot="select-trigger"[^>]*role="combobox"/);
    expect(html).toMatch(/aria-haspopup="dialog"/);
    expect(html).toMatch(/aria-haspopup="menu"/);
    expect(html).toContain('data-slot="tooltip-trigger"');
  });
});

describe('toast store', () => {
  afterEach(() => {
    dismissToast();
    vi.runAllTimers();
    vi.useRealTimers();
  });

  it('adds, dismisses and then removes toasts, newest first and capped at 5', () => {
    vi.useFakeTimers();
    const first = toast({ title: 'Saved', variant: 'success' });
    toast.error('Upload failed', { description: 'CSV has no header row' });
    expect(getToasts().map((t) => t.title)).toEqual(['Upload failed', 'Saved']);
    expect(getToasts()[0]).toMatchObject({ variant: 'destructive', open: true });

    first.dismiss();
    expect(getToasts().find((t) => t.id === first.id)?.open).toBe(false);
    vi.runAllTimers();
    expect(getToasts().some((t) => t.id === first.id)).toBe(false);

    for (let i = 0; i < 7; i++) toast({ title: `t${i}` });
    expect(getToasts()).toHaveLength(5);
    expect(getToasts()[0].title).toBe('t6');
  });
});
