'use client';

import { ErrorPanel } from '@/components/shell/error-panel';

export default function ExploreError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ErrorPanel title="The map could not be shown" error={error} reset={reset} />;
}
