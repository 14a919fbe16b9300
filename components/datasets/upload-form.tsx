'use client';

import { useRouter } from 'next/navigation';
import { useId, useRef, useState } from 'react';
import { Upload } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { FieldError } from '@/components/ui/field-error';
import { Label } from '@/components/ui/label';
import { Progress } from '@/components/ui/progress';

const selectClass =
  'h-9 rounded-md border border-input bg-background px-3 text-sm shadow-xs outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50';

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024).toLocaleString('en-US')} MB`;

/**
 * Uploads a CSV straight to the streaming route handler (not a server action body), with upload progress. A file
 * past the per-file limit or the account's storage left is refused here, before any of it is sent.
 */
export function UploadForm({ limitBytes, storage }: { limitBytes: number; storage: { usedBytes: number; quotaBytes: number } }) {
  const router = useRouter();
  const fileId = useId();
  const kindId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [kind, setKind] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<number | null>(null);
  const storageLeft = Math.max(0, storage.quotaBytes - storage.usedBytes);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    const file = input.current?.files?.[0];
    if (!file) return setError('Choose a CSV file first.');
    if (file.size > limitBytes) return setError(`The file is larger than ${mb(limitBytes)}, the upload limit. Split it into smaller files.`);
    if (file.size > storageLeft)
      return setError(
        `This file does not fit in the account's storage: ${mb(storage.usedBytes)} of ${mb(storage.quotaBytes)} are used by its datasets. Delete datasets you no longer need, or upload a smaller file.`,
      );
    if (file.size === 0) return setError('The file is empty.');
    const params = new URLSearchParams({ fileName: file.name });
    if (kind) params.set('kind', kind);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/datasets/upload?${params}`);
    xhr.setRequestHeader('content-type', 'text/csv');
    xhr.upload.onprogress = (ev) => ev.lengthComputable && setSent(ev.loaded / ev.total);
    xhr.onerror = () => {
      setSent(null);
      setError('The upload was interrupted. Check your connection and try again.');
    };
    xhr.onload = () => {
      setSent(null);
      let body: { error?: string; dataset?: { id: string } } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status === 201 && body.dataset) router.push(`/datasets/${body.dataset.id}`);
      else setError(body.error ?? `The upload failed (${xhr.status}).`);
    };
    setSent(0);
    xhr.send(file);
  }

  const busy = sent !== null;
  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Upload a dataset" noValidate>
      <div className="flex flex-wrap items-end gap-3">
        <div className="space-y-1.5">
          <Label htmlFor={fileId}>CSV file</Label>
          <input
            id={fileId}
            ref={input}
            type="file"
            name="file"
            accept=".csv,text/csv"
            disabled={busy}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${fileId}-error` : `${fileId}-hint`}
            className="block text-sm file:mr-3 file:rounded-md file:border file:border-input file:bg-background file:px-3 file:py-1.5 file:text-sm"
          />
        </div>
        <div className="space-y-1.5">
          <Label htmlFor={kindId}>File holds</Label>
          <select id={kindId} className={selectClass} value={kind} onChange={(e) => setKind(e.target.value)} disabled={busy}>
            <option value="">Detect from the header</option>
            <option value="people">People</option>
            <option value="orders">Orders</option>
          </select>
        </div>
        <Button type="submit" disabled={busy} className="gap-2">
          <Upload className="size-4" aria-hidden /> {busy ? 'Uploading…' : 'Upload'}
        </Button>
      </div>
      <p id={`${fileId}-hint`} className="text-xs text-muted-foreground">
        People (email, name, address, external id, any other columns as traits) or orders (customer, date, amount,
        product). Up to {mb(limitBytes)} a file; {mb(storage.usedBytes)} of the account&apos;s {mb(storage.quotaBytes)} are used. The next
        step lets you check the columns.
      </p>
      {busy ? <Progress value={Math.round((sent ?? 0) * 100)} aria-label="Upload progress" /> : null}
      <FieldError id={`${fileId}-error`} message={error} />
    </form>
  );
}
