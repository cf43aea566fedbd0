/** The tabs between the views, by keyboard too. */
import { useRef, type KeyboardEvent } from 'react';

export type Tab = 'repositories' | 'transfers' | 'network' | 'devices' | 'activity';
export const TABS: readonly { id: Tab; label: string }[] = [
  { id: 'repositories', label: 'Folders' },
  { id: 'transfers', label: 'Transfers' },
  { id: 'network', label: 'Network' },
  { id: 'devices', label: 'Devices' },
  { id: 'activity', label: 'Activity' },
];

export function Tabs({
  tab,
  onChange,
  counts,
}: {
  tab: Tab;
  onChange: (t: Tab) => void;
  counts: Partial<Record<Tab, number>>;
}) {
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent<HTMLButtonElement>, i: number): void => {
    const next =
      e.key === 'ArrowRight'
        ? i + 1
        : e.key === 'ArrowLeft'
          ? i - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? TABS.length - 1
              : null;
    if (next === null) return;
    e.preventDefault();
    const j = (next + TABS.length) % TABS.length;
    onChange(TABS[j]?.id ?? 'repositories');
    refs.current[j]?.focus();
  };
  return (
    <div role="tablist" aria-label="Views" className="tabs">
      {TABS.map((t, i) => (
        <button
          key={t.id}
          ref={(el) => {
            refs.current[i] = el;
          }}
          role="tab"
          type="button"
          id={`tab-${t.id}`}
          aria-selected={tab === t.id}
          aria-controls={`panel-${t.id}`}
          tabIndex={tab === t.id ? 0 : -1}
          onClick={() => onChange(t.id)}
          onKeyDown={(e) => onKey(e, i)}
        >
          {t.label}
          {counts[t.id] ? <span className="count">{counts[t.id]}</span> : null}
        </button>
      ))}
    </div>
  );
}
