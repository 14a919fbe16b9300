'use client';

import { ErrorPanel } from '@/components/shell/error-panel';

export default function AppError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorPanel title="This page could not be shown" error={error} reset={reset} />;
}
