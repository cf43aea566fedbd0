import { createRoot } from 'react-dom/client';
import type { FerryApi } from '../shared/ipc';
import { App } from './app';

declare global {
  interface Window {
    readonly ferry: FerryApi;
  }
}

const root = document.getElementById('root');
if (root) createRoot(root).render(<App api={window.ferry} />);
