// HTML pieces the report's sections share: a chart under its heading, and fold scopes in order.
import { esc } from './charts/svg.js';

/** A chart (or table) under a visible <h3>, with an optional note below. */
export function figure(heading: string, svg: string, note?: string): string {
  return `<figure><h3>${esc(heading)}</h3>${svg}${note ? `<p class="note">${esc(note)}</p>` : ''}</figure>`;
}

const foldNumber = (scope: string): number => Number(/^fold-(\d+)/.exec(scope)?.[1] ?? NaN);
/** 'fold-2' before 'fold-10'. */
export const byFold = (a: string, b: string): number => foldNumber(a) - foldNumber(b) || a.localeCompare(b);

/** A per-fold metric scope ('fold-3'), not the aggregate 'folds' nor a fit scope. */
export const isFoldScope = (scope: string): boolean => /^fold-\d+$/.test(scope);
