/** An axe-core scan of the page as it is (the rules of WCAG 2.x A and AA, and best practices). */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

export interface Violation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly targets: readonly string[];
}

/** The violations axe finds; the page's context must bypass its CSP to take the script. */
export async function axeScan(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    // runs in the page
    const page = globalThis as unknown as {
      axe: { run: (...a: unknown[]) => Promise<unknown> };
      document: unknown;
    };
    const result = (await page.axe.run(page.document, { resultTypes: ['violations'] })) as {
      violations: {
        id: string;
        impact: string | null;
        help: string;
        nodes: { target: string[] }[];
      }[];
    };
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
}

/** Only what the checks refuse: critical and serious violations. */
export const serious = (vs: readonly Violation[]): Violation[] =>
  vs.filter((v) => v.impact === 'critical' || v.impact === 'serious');
