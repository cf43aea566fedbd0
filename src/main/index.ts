/** Electron entry point. */
import { fileURLToPath } from 'node:url';
import { startElectronApp } from './electron-app';

startElectronApp(fileURLToPath(new URL('../..', import.meta.url)));
