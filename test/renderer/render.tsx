/** Rendering the window in jsdom for component tests: mount, click, wait a frame, find by text. */
import './dom';
import assert from 'node:assert/strict';
import { afterEach } from 'node:test';
import { act } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { App } from '../../src/renderer/app';
import { createFerryStore } from '../../src/renderer/store';
import type { FakeApi } from './fake-api';

let root: Root | undefined;
let container: HTMLElement | undefined;

export async function render(fake: FakeApi): Promise<HTMLElement> {
  container = document.createElement('div');
  document.body.appendChild(container);
  const store = createFerryStore();
  root = createRoot(container);
  await act(async () => {
    root?.render(<App api={fake.api()} store={store} />);
    await new Promise((r) => setTimeout(r, 0));
  });
  return container;
}

export async function click(el: Element | null | undefined): Promise<void> {
  assert.ok(el, 'the element is there');
  await act(async () => {
    (el as HTMLElement).click();
    await new Promise((r) => setTimeout(r, 0));
  });
}

export async function flushFrames(): Promise<void> {
  await act(async () => {
    await new Promise((r) => setTimeout(r, 40));
  });
}

export const byText = (root: Element, selector: string, text: string): Element | undefined =>
  [...root.querySelectorAll(selector)].find((e) => e.textContent?.includes(text));

afterEach(() => {
  act(() => root?.unmount());
  container?.remove();
});
