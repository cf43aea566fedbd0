/** Renderer entry: the Electron preload's API when there is one, else the WebSocket bridge. */
import { createRoot } from 'react-dom/client';
import type { FerryApi } from '../shared/ipc';
import { App } from './app';
import { createFerryStore } from './store';
import { createWebSocketApi } from './ws-api';
import './styles.css';

declare global {
  interface Window {
    readonly ferry?: FerryApi & { pathForFile?: (file: File) => string };
  }
}

const store = createFerryStore();
let api: FerryApi;
if (window.ferry) {
  api = window.ferry;
  store.getState().setConnection('open');
} else {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `ws://${location.host}/ws?token=${encodeURIComponent(token)}`;
  api = createWebSocketApi(url, (state) => store.getState().setConnection(state));
}
const root = document.getElementById('root');
if (root)
  createRoot(root).render(<App api={api} store={store} pathForFile={window.ferry?.pathForFile} />);
