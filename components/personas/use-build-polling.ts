'use client';

import * as React from 'react';
import { useRouter } from 'next/navigation';

/** Refreshes the server-rendered page every `ms` while `active` (a build is queued or running). */
export function useBuildPolling(active: boolean, ms = 1500) {
  const router = useRouter();
  React.useEffect(() => {
    if (!active) return;
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') router.refresh();
    }, ms);
    return () => clearInterval(t);
  }, [active, ms, router]);
}
