'use client';

import { ErrorPanel } from '@/components/shell/error-panel';

export default function PersonaSetsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorPanel title="Persona sets could not be shown" error={error} reset={reset} />;
}
