'use client';

import * as React from 'react';
import { useRouter } from 'next/navigation';
import { Archive, ArchiveRestore, MoreHorizontal, Pencil, RefreshCw, Trash2 } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from '@/components/ui/dialog';
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from '@/components/ui/dropdown-menu';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { toast } from '@/components/ui/toast';
import type { SetRowActions } from './persona-set-actions';

/** Row (and page) actions of a persona set: rename, rebuild, archive or unarchive, delete with confirmation. */
export function SetActions({
  set,
  afterDelete,
  variant = 'menu',
  renamePersonaSetAction,
  rebuildPersonaSetAction,
  archivePersonaSetAction,
  deletePersonaSetAction,
}: {
  set: { id: string; name: string; archived: boolean; status: string };
  afterDelete?: string;
  variant?: 'menu' | 'buttons';
} & Omit<SetRowActions, 'setShowInExploreAction'>) {
  const router = useRouter();
  const [dialog, setDialog] = React.useState<'rename' | 'delete' | null>(null);
  const [name, setName] = React.useState(set.name);
  const [nameError, setNameError] = React.useState<string[] | undefined>();
  const [pending, start] = React.useTransition();

  const run = (fn: () => Promise<{ ok: boolean; error?: string }>, done: string, after?: () => void) =>
    start(async () => {
      const res = await fn();
      if (!res.ok) {
        toast({ title: 'That did not work', description: res.error, variant: 'destructive' });
        return;
      }
      toast({ title: done, variant: 'success' });
      after?.();
      router.refresh();
    });

  const rename = (e: React.FormEvent) => {
    e.preventDefault();
    start(async () => {
      const res = await renamePersonaSetAction({ id: set.id, name });
      if (!res.ok) {
        setNameError(res.fieldErrors?.name ?? [res.error]);
        return;
      }
      setDialog(null);
      toast({ title: 'Persona set renamed', variant: 'success' });
      router.refresh();
    });
  };

  const rebuild = () => run(() => rebuildPersonaSetAction({ id: set.id }), `Rebuilding ${set.name}`);
  const archive = () =>
    run(() => archivePersonaSetAction({ id: set.id, archived: !set.archived }), set.archived ? `${set.name} unarchived` : `${set.name} archived`);
  const remove = () =>
    run(() => deletePersonaSetAction({ id: set.id }), `${set.name} deleted`, () => {
      setDialog(null);
      if (afterDelete) router.push(afterDelete);
    });
  const openRename = () => {
    setName(set.name);
    setNameError(undefined);
    setDialog('rename');
  };
  const building = set.status === 'queued' || set.status === 'building';

  return (
    <>
      {variant === 'menu' ? (
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="ghost" size="icon" aria-label={`Actions for ${set.name}`} disabled={pending}>
              <MoreHorizontal aria-hidden />
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end">
            <DropdownMenuItem onSelect={openRename}>
              <Pencil aria-hidden /> Rename
            </DropdownMenuItem>
            <DropdownMenuItem onSelect={rebuild} disabled={building}>
              <RefreshCw aria-hidden /> Rebuild
            </DropdownMenuItem>
            <DropdownMenuItem onSelect={archive}>
              {set.archived ? <ArchiveRestore aria-hidden /> : <Archive aria-hidden />} {set.archived ? 'Unarchive' : 'Archive'}
            </DropdownMenuItem>
            <DropdownMenuSeparator />
            <DropdownMenuItem onSelect={() => setDialog('delete')} className="text-destructive focus:text-destructive">
              <Trash2 aria-hidden /> Delete
            </DropdownMenuItem>
          </DropdownMenuContent>
        </DropdownMenu>
      ) : (
        <div className="flex flex-wrap gap-2">
          <Button variant="outline" size="sm" onClick={openRename} disabled={pending}>
            <Pencil aria-hidden /> Rename
          </Button>
          <Button variant="outline" size="sm" onClick={rebuild} disabled={pending || building}>
            <RefreshCw aria-hidden /> Rebuild
          </Button>
          <Button variant="outline" size="sm" onClick={archive} disabled={pending}>
            {set.archived ? <ArchiveRestore aria-hidden /> : <Archive aria-hidden />} {set.archived ? 'Unarchive' : 'Archive'}
          </Button>
          <Button variant="outline" size="sm" onClick={() => setDialog('delete')} disabled={pending} className="text-destructive">
            <Trash2 aria-hidden /> Delete
          </Button>
        </div>
      )}
      <Dialog open={dialog === 'rename'} onOpenChange={(o) => setDialog(o ? 'rename' : null)}>
        <DialogContent>
          <form onSubmit={rename} className="grid gap-4">
            <DialogHeader>
              <DialogTitle>Rename persona set</DialogTitle>
              <DialogDescription>Names are unique within your account.</DialogDescription>
            </DialogHeader>
            <div className="grid gap-1.5">
              <Label htmlFor={`rename-${set.id}`}>Name</Label>
              <Input
                id={`rename-${set.id}`}
                value={name}
                onChange={(e) => setName(e.target.value)}
                aria-invalid={nameError ? true : undefined}
                aria-describedby={nameError ? `rename-${set.id}-error` : undefined}
                autoFocus
              />
              <FieldError id={`rename-${set.id}-error`} message={nameError} />
            </div>
            <DialogFooter>
              <Button type="button" variant="outline" onClick={() => setDialog(null)}>
                Cancel
              </Button>
              <Button type="submit" disabled={pending}>
                {pending ? 'Saving…' : 'Save'}
              </Button>
            </DialogFooter>
          </form>
        </DialogContent>
      </Dialog>
      <Dialog open={dialog === 'delete'} onOpenChange={(o) => setDialog(o ? 'delete' : null)}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>Delete “{set.name}”?</DialogTitle>
            <DialogDescription>
              Its personas, assignments and analyses are deleted for good, and pipelines stop delivering it. Archive it instead to keep it.
            </DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <Button variant="outline" onClick={() => setDialog(null)}>
              Cancel
            </Button>
            <Button variant="destructive" onClick={remove} disabled={pending}>
              {pending ? 'Deleting…' : 'Delete persona set'}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </>
  );
}
