/** The renderer's zustand store: a repositories slice seeded from a snapshot, kept current by events. */
import { createStore } from 'zustand/vanilla';
import type { EngineEvent } from '../shared/ipc';
import type { RepositoryStatus } from '../shared/types';

export interface RepositoriesSlice {
  readonly repositories: readonly RepositoryStatus[];
  readonly lastError: string | null;
  seed(repos: readonly RepositoryStatus[]): void;
  apply(event: EngineEvent): void;
}

export function createFerryStore() {
  return createStore<RepositoriesSlice>()((set) => ({
    repositories: [],
    lastError: null,
    seed: (repositories) => set({ repositories }),
    apply: (event) =>
      set((state) => {
        if (event.type === 'error-raised') return { lastError: event.message };
        if (event.type !== 'repository-changed') return {};
        const others = state.repositories.filter((r) => r.uuid !== event.status.uuid);
        return { repositories: [...others, event.status] };
      }),
  }));
}
