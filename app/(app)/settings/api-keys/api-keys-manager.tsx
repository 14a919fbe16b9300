'use client';

import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { createApiKeyAction, revokeApiKeyAction } from './actions';

export interface KeyRow {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' }) : 'Never');

export function ApiKeysManager({ keys }: { keys: KeyRow[] }) {
  const router = useRouter();
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [pending, start] = useTransition();

  const create = () =>
    start(async () => {
      const res = await createApiKeyAction({ name });
      if (!res.ok) {
        setError(res.fieldErrors?.name?.[0] ?? res.error);
        return;
      }
      setError(undefined);
      setCreated({ key: res.data.key, name });
      setName('');
      setCopied(false);
      router.refresh();
    });

  const revoke = (id: string, keyName: string) => {
    if (!window.confirm(`Revoke “${keyName}”? Systems using it stop working at once.`)) return;
    start(async () => {
      const res = await revokeApiKeyAction({ id });
      if (!res.ok) setError(res.error);
      router.refresh();
    });
  };

  return (
    <div className="space-y-6">
      <Card>
        <CardHeader>
          <CardTitle>Create a key</CardTitle>
          <CardDescription>Other systems send it as <code>Authorization: Bearer &lt;key&gt;</code>. It is shown once.</CardDescription>
        </CardHeader>
        <CardContent className="space-y-4">
          <form
            className="flex items-end gap-3"
            onSubmit={(e) => {
              e.preventDefault();
              create();
            }}
          >
            <div className="grid flex-1 gap-1.5">
              <Label htmlFor="key-name">Name</Label>
              <Input id="key-name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. Warehouse sync" aria-invalid={!!error} />
            </div>
            <Button type="submit" disabled={pending || !name.trim()}>
              Create key
            </Button>
          </form>
          <FieldError message={error} />
          {created && (
            <div className="rounded-md border border-primary/40 bg-primary/5 p-4 text-sm" role="status">
              <p className="font-medium">Key “{created.name}” created. Copy it now: it will not be shown again.</p>
              <div className="mt-2 flex items-center gap-2">
                <code data-testid="new-api-key" className="flex-1 break-all rounded bg-muted px-2 py-1 font-mono text-xs">
                  {created.key}
                </code>
                <Button
                  type="button"
                  variant="outline"
                  size="sm"
                  onClick={() => {
                    void navigator.clipboard?.writeText(created.key);
                    setCopied(true);
                  }}
                >
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              </div>
            </div>
          )}
        </CardContent>
      </Card>
      <Card className="py-0">
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Name</TableHead>
              <TableHead>Key</TableHead>
              <TableHead>Created</TableHead>
              <TableHead>Last used</TableHead>
              <TableHead className="text-right">Status</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {keys.length === 0 && (
              <TableRow>
                <TableCell colSpan={5} className="py-8 text-center text-muted-foreground">
                  No API keys yet.
                </TableCell>
              </TableRow>
            )}
            {keys.map((k) => (
              <TableRow key={k.id}>
                <TableCell className="font-medium">{k.name}</TableCell>
                <TableCell className="font-mono text-xs">{k.prefix}_…</TableCell>
                <TableCell>{when(k.createdAt)}</TableCell>
                <TableCell>{when(k.lastUsedAt)}</TableCell>
                <TableCell className="text-right">
                  {k.revokedAt ? (
                    <span className="text-muted-foreground">Revoked {when(k.revokedAt)}</span>
                  ) : (
                    <Button type="button" variant="outline" size="sm" disabled={pending} onClick={() => revoke(k.id, k.name)}>
                      Revoke
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Card>
    </div>
  );
}
