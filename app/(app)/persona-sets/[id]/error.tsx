'use client';

import { ErrorPanel } from '@/components/shell/error-panel';

export default function PersonaSetError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorPanel title="This persona set could not be shown" error={error} reset={reset} />;
}
