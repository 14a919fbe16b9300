// How long the set's last build took, step by step (for the curious): a closed disclosure under the personas.
import type { BuildTiming } from '@/lib/services/persona-sets';

const seconds = (ms: number) => `${(ms / 1000).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} s`;

export function BuildTimings({ timings }: { timings: BuildTiming[] }) {
  if (!timings.length) return null;
  const total = timings.filter((t) => t.kind === 'step').reduce((s, t) => s + t.ms, 0);
  return (
    <details className="text-xs text-muted-foreground" data-testid="build-timings">
      <summary className="cursor-pointer select-none">Last build: {seconds(total)} of work, step by step</summary>
      <table className="mt-2 tabular-nums">
        <tbody>
          {timings.map((t) => (
            <tr key={t.name}>
              <td className={t.kind === 'step' ? 'pr-6 font-medium text-foreground' : 'pr-6 pl-4'}>{t.name}</td>
              <td className="text-right">{seconds(t.ms)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
