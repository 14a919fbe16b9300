import {
  BookOpen,
  Cat,
  ChefHat,
  Cpu,
  Dog,
  Dumbbell,
  Gamepad2,
  Gem,
  Hammer,
  HeartHandshake,
  HeartPulse,
  Music,
  Plane,
  Scissors,
  Shirt,
  Sprout,
  Star,
  Tent,
  Trophy,
  Wine,
  type LucideIcon,
} from 'lucide-react';
import type { AvatarSpec } from '@/lib/clustering/types';

export type { AvatarSpec };

const BADGE_ICONS: Record<string, LucideIcon> = {
  dog: Dog,
  cat: Cat,
  outdoors: Tent,
  fitness: Dumbbell,
  travel: Plane,
  gardening: Sprout,
  cooking: ChefHat,
  tech: Cpu,
  books: BookOpen,
  music: Music,
  charity: HeartHandshake,
  health: HeartPulse,
  crafts: Scissors,
  sports: Trophy,
  wine: Wine,
  gaming: Gamepad2,
  diy: Hammer,
  fashion: Shirt,
  affluent: Gem,
};

const BADGE_LABELS: Record<string, string> = {
  outdoors: 'outdoor life',
  tech: 'technology',
  diy: 'DIY',
  charity: 'giving',
};

const SKIN = ['#f6d5bd', '#eabf9c', '#c99169', '#9a6444', '#5f3b26'];
const HAIR: Record<AvatarSpec['ageBand'], string[]> = {
  young: ['#2b1d14', '#6b3f1f', '#c58b3a', '#a33f1c'],
  adult: ['#2b1d14', '#4a2f1d', '#6b4a2b'],
  middle: ['#6f6358', '#837567', '#5d5046'],
  senior: ['#d8d8d8', '#c4c4c4', '#ececec'],
};

/** Coerces a stored avatar (jsonb) into a spec, with safe defaults. */
export function toAvatarSpec(raw: unknown): AvatarSpec {
  const r = (raw ?? {}) as Partial<AvatarSpec>;
  const pick = <T extends string>(v: unknown, allowed: readonly T[], d: T): T => (allowed.includes(v as T) ? (v as T) : d);
  return {
    ageBand: pick(r.ageBand, ['young', 'adult', 'middle', 'senior'] as const, 'adult'),
    gender: pick(r.gender, ['female', 'male', 'mixed'] as const, 'mixed'),
    household: pick(r.household, ['single', 'couple', 'family'] as const, 'single'),
    badges: Array.isArray(r.badges) ? r.badges.filter((b): b is string => typeof b === 'string').slice(0, 3) : [],
    hue: Number.isFinite(r.hue) ? ((Math.round(r.hue as number) % 360) + 360) % 360 : 210,
    seed: Number.isFinite(r.seed) ? Math.abs(Math.round(r.seed as number)) : 0,
  };
}

/** Plain-words description of an avatar, for its accessible name. */
export function describeAvatar(spec: AvatarSpec): string {
  const who =
    spec.household === 'family' ? 'a family' : spec.household === 'couple' ? 'a couple' : spec.gender === 'female' ? 'a woman' : spec.gender === 'male' ? 'a man' : 'a person';
  const age = { young: 'young', adult: 'adult', middle: 'middle-aged', senior: 'senior' }[spec.ageBand];
  const badges = spec.badges.length ? `, with ${spec.badges.map((b) => BADGE_LABELS[b] ?? b).join(', ')}` : '';
  return `Avatar: ${age} ${who}${badges}`;
}

type Sex = 'female' | 'male' | 'neutral';
interface Figure {
  x: number;
  y: number;
  s: number;
  sex: Sex;
  child?: boolean;
}

function figuresOf(spec: AvatarSpec): Figure[] {
  const adult = (i: number): Sex => (spec.gender === 'mixed' ? (i === 0 ? 'female' : 'male') : spec.gender);
  if (spec.household === 'single') return [{ x: 50, y: 40, s: 1, sex: spec.gender === 'mixed' ? 'neutral' : spec.gender }];
  if (spec.household === 'couple')
    return [
      { x: 36, y: 42, s: 0.82, sex: adult(0) },
      { x: 64, y: 42, s: 0.82, sex: adult(1) },
    ];
  return [
    { x: 30, y: 40, s: 0.74, sex: adult(0) },
    { x: 70, y: 40, s: 0.74, sex: adult(1) },
    { x: 50, y: 60, s: 0.52, sex: 'neutral', child: true },
  ];
}

function Person({ f, spec, index }: { f: Figure; spec: AvatarSpec; index: number }) {
  const { x, y, s } = f;
  const skin = SKIN[(spec.seed + index * 3) % SKIN.length];
  const hairSet = f.child ? HAIR.young : HAIR[spec.ageBand];
  const hair = hairSet[(spec.seed >> 3) % hairSet.length];
  const shirt = `hsl(${(spec.hue + index * 40) % 360} 55% ${f.child ? 55 : 40}%)`;
  const r = 12 * s; // head radius
  const senior = spec.ageBand === 'senior' && !f.child;
  const young = spec.ageBand === 'young' || f.child;
  return (
    <g data-figure={f.child ? 'child' : f.sex}>
      {/* body */}
      <path
        d={`M ${x - 22 * s} ${y + 50 * s} Q ${x - 22 * s} ${y + 16 * s} ${x} ${y + 15 * s} Q ${x + 22 * s} ${y + 16 * s} ${x + 22 * s} ${y + 50 * s} Z`}
        fill={shirt}
      />
      {/* long hair behind the head */}
      {f.sex === 'female' ? (
        <path
          d={`M ${x - r * 1.1} ${y} Q ${x - r * 1.25} ${y + r * 1.6} ${x - r * 0.6} ${y + r * 1.5} L ${x + r * 0.6} ${y + r * 1.5} Q ${x + r * 1.25} ${y + r * 1.6} ${x + r * 1.1} ${y} Z`}
          fill={hair}
        />
      ) : null}
      <rect x={x - 3.5 * s} y={y + r * 0.7} width={7 * s} height={6 * s} fill={skin} />
      <circle cx={x} cy={y} r={r} fill={skin} />
      {/* hair on top: cap shape by sex and age */}
      {senior && f.sex === 'male' ? (
        <path d={`M ${x - r} ${y - r * 0.1} Q ${x - r * 0.95} ${y - r * 0.75} ${x - r * 0.45} ${y - r * 0.6} L ${x - r * 0.55} ${y - r * 0.05} Z M ${x + r} ${y - r * 0.1} Q ${x + r * 0.95} ${y - r * 0.75} ${x + r * 0.45} ${y - r * 0.6} L ${x + r * 0.55} ${y - r * 0.05} Z`} fill={hair} />
      ) : (
        <path
          d={
            f.sex === 'male'
              ? `M ${x - r * 1.02} ${y - r * 0.05} Q ${x - r * 1.05} ${y - r * 1.25} ${x} ${y - r * 1.12} Q ${x + r * 1.05} ${y - r * 1.25} ${x + r * 1.02} ${y - r * 0.05} Q ${x + r * 0.6} ${y - r * 0.6} ${x} ${y - r * 0.55} Q ${x - r * 0.6} ${y - r * 0.6} ${x - r * 1.02} ${y - r * 0.05} Z`
              : `M ${x - r * 1.08} ${y + r * 0.2} Q ${x - r * 1.2} ${y - r * 1.3} ${x} ${y - r * 1.15} Q ${x + r * 1.2} ${y - r * 1.3} ${x + r * 1.08} ${y + r * 0.2} Q ${x + r * 0.7} ${y - r * 0.45} ${x} ${y - r * 0.5} Q ${x - r * 0.7} ${y - r * 0.45} ${x - r * 1.08} ${y + r * 0.2} Z`
          }
          fill={hair}
        />
      )}
      {young && !f.child && f.sex !== 'female' ? (
        // a cap's brim for the young
        <path d={`M ${x - r * 0.9} ${y - r * 0.55} Q ${x} ${y - r * 0.9} ${x + r * 1.5} ${y - r * 0.5}`} stroke={shirt} strokeWidth={2.2 * s} fill="none" />
      ) : null}
      {/* face */}
      <circle cx={x - r * 0.38} cy={y + r * 0.05} r={1.3 * s} fill="#2b1d14" />
      <circle cx={x + r * 0.38} cy={y + r * 0.05} r={1.3 * s} fill="#2b1d14" />
      <path d={`M ${x - r * 0.3} ${y + r * 0.45} Q ${x} ${y + r * 0.7} ${x + r * 0.3} ${y + r * 0.45}`} stroke="#7a3b2e" strokeWidth={1.1 * s} fill="none" strokeLinecap="round" />
      {senior || spec.ageBand === 'middle' ? (
        <g stroke="#333" strokeWidth={0.9 * s} fill="none" data-glasses={senior ? 'round' : 'reading'}>
          <circle cx={x - r * 0.38} cy={y + r * 0.05} r={r * 0.27} />
          <circle cx={x + r * 0.38} cy={y + r * 0.05} r={r * 0.27} />
          <path d={`M ${x - r * 0.11} ${y + r * 0.05} L ${x + r * 0.11} ${y + r * 0.05}`} />
        </g>
      ) : null}
      {senior ? (
        <path d={`M ${x - r * 0.55} ${y - r * 0.35} l ${r * 0.3} 0 M ${x + r * 0.25} ${y - r * 0.35} l ${r * 0.3} 0`} stroke="#b08a74" strokeWidth={0.7 * s} />
      ) : null}
    </g>
  );
}

/** A persona's avatar drawn from its avatar specification: age, gender, household, interests and hue. */
export function PersonaAvatar({ avatar, size = 72, className }: { avatar: unknown; size?: number; className?: string }) {
  const spec = toAvatarSpec(avatar);
  const clip = `avatar-clip-${spec.hue}-${spec.seed}-${spec.household}-${spec.ageBand}-${spec.gender}`;
  const figures = figuresOf(spec);
  const badgeSpots = [
    [80, 80],
    [90, 58],
    [64, 92],
  ];
  return (
    <svg
      viewBox="0 0 100 100"
      width={size}
      height={size}
      role="img"
      aria-label={describeAvatar(spec)}
      className={className}
      data-household={spec.household}
      data-age={spec.ageBand}
      data-gender={spec.gender}
    >
      <defs>
        <clipPath id={clip}>
          <circle cx={50} cy={50} r={46} />
        </clipPath>
      </defs>
      <circle cx={50} cy={50} r={46} fill={`hsl(${spec.hue} 70% 88%)`} />
      <g clipPath={`url(#${clip})`}>
        <circle cx={50} cy={50} r={30} fill={`hsl(${spec.hue} 65% 80%)`} />
        {figures.map((f, i) => (
          <Person key={i} f={f} spec={spec} index={i} />
        ))}
      </g>
      <circle cx={50} cy={50} r={46} fill="none" stroke={`hsl(${spec.hue} 45% 55%)`} strokeWidth={2} />
      {spec.badges.map((b, i) => {
        const Icon = BADGE_ICONS[b] ?? Star;
        const [cx, cy] = badgeSpots[i];
        return (
          <g key={b} data-badge={b}>
            <circle cx={cx} cy={cy} r={10} fill="white" stroke={`hsl(${spec.hue} 45% 45%)`} strokeWidth={1.5} />
            <Icon x={cx - 6.5} y={cy - 6.5} width={13} height={13} color={`hsl(${spec.hue} 55% 30%)`} strokeWidth={2.2} aria-hidden />
          </g>
        );
      })}
    </svg>
  );
}
