'use client';

import { useRouter } from 'next/navigation';
import { useId, useState, useTransition } from 'react';
import type { ActionResult } from '@/components/action-types';
import { Button } from '@/components/ui/button';
import { FieldError } from '@/components/ui/field-error';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { targetLabel, targetsFor, type DatasetKind } from '@/lib/ingest/mapping';

type Result<T> = ActionResult<T>;

const selectClass =
  'h-9 w-full rounded-md border border-input bg-background px-2 text-sm shadow-xs outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 aria-invalid:border-destructive';

/** The mapping step: the analyst checks what each column is before the file is processed. */
export function MappingForm({
  datasetId,
  initialName,
  initialKind,
  headers,
  sample,
  initialMapping,
  confirmMappingAction,
  proposeMappingAction,
}: {
  confirmMappingAction: (input: { datasetId: string; kind: DatasetKind; name: string; mapping: Record<string, string> }) => Promise<Result<{ id: string }>>;
  proposeMappingAction: (input: { datasetId: string; kind: DatasetKind }) => Promise<Result<Record<string, string>>>;
  datasetId: string;
  initialName: string;
  initialKind: DatasetKind;
  headers: string[];
  sample: string[][];
  initialMapping: Record<string, string>;
}) {
  const router = useRouter();
  const uid = useId();
  const [name, setName] = useState(initialName);
  const [kind, setKind] = useState<DatasetKind>(initialKind);
  const [mapping, setMapping] = useState<Record<string, string>>(initialMapping);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [pending, start] = useTransition();
  const targets = targetsFor(kind);

  function changeKind(next: DatasetKind) {
    setKind(next);
    start(async () => {
      const r = await proposeMappingAction({ datasetId, kind: next });
      if (r.ok) setMapping(r.data);
    });
  }

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    setFieldErrors({});
    start(async () => {
      const r = await confirmMappingAction({ datasetId, kind, name, mapping });
      if (r.ok) router.refresh();
      else {
        setError(r.error);
        setFieldErrors(r.fieldErrors ?? {});
      }
    });
  }

  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Column mapping" noValidate>
      <div className="flex flex-wrap items-end gap-4">
        <div className="space-y-1.5">
          <Label htmlFor={`${uid}-name`}>Dataset name</Label>
          <Input
            id={`${uid}-name`}
            value={name}
            onChange={(e) => setName(e.target.value)}
            className="w-72"
            aria-invalid={fieldErrors.name ? true : undefined}
            aria-describedby={fieldErrors.name ? `${uid}-name-error` : undefined}
          />
          <FieldError id={`${uid}-name-error`} message={fieldErrors.name} />
        </div>
        <fieldset className="space-y-1.5">
          <legend className="text-sm font-medium">The file holds</legend>
          <div className="flex gap-4 text-sm">
            {(['people', 'orders'] as const).map((k) => (
              <label key={k} className="flex items-center gap-1.5">
                <input type="radio" name={`${uid}-kind`} value={k} checked={kind === k} onChange={() => changeKind(k)} />
                {k === 'people' ? 'People' : 'Orders'}
              </label>
            ))}
          </div>
        </fieldset>
      </div>
      <div className="overflow-x-auto rounded-md border">
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Column in the file</TableHead>
              <TableHead>First values</TableHead>
              <TableHead className="w-64">Use as</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {headers.map((h, i) => {
              const id = `${uid}-col-${i}`;
              const problems = fieldErrors[h];
              return (
                <TableRow key={h}>
                  <TableCell className="font-medium">
                    <label htmlFor={id}>{h}</label>
                  </TableCell>
                  <TableCell className="max-w-xs truncate text-muted-foreground">
                    {sample
                      .map((r) => r[i] ?? '')
                      .filter(Boolean)
                      .slice(0, 3)
                      .map((v) => (v.length > 24 ? `${v.slice(0, 24)}…` : v))
                      .join(' · ') || '—'}
                  </TableCell>
                  <TableCell>
                    <select
                      id={id}
                      className={selectClass}
                      value={mapping[h] ?? 'ignore'}
                      onChange={(e) => setMapping({ ...mapping, [h]: e.target.value })}
                      aria-invalid={problems ? true : undefined}
                      aria-describedby={problems ? `${id}-error` : undefined}
                    >
                      {targets.map((t) => (
                        <option key={t} value={t}>
                          {targetLabel(t)}
                        </option>
                      ))}
                    </select>
                    <FieldError id={`${id}-error`} message={problems} className="mt-1 text-xs" />
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </div>
      <FieldError message={fieldErrors._ && fieldErrors._.length > 1 ? fieldErrors._ : error} />
      <Button type="submit" disabled={pending}>
        {pending ? 'Starting…' : 'Confirm columns and process'}
      </Button>
    </form>
  );
}
