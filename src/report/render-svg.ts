import type { TopLevelSpec } from 'vega-lite';
import { vegaTextWidth } from './text-width.js';

type Renderers = { vega: typeof import('vega'); compile: typeof import('vega-lite').compile };
let renderers: Promise<Renderers> | undefined;

/**
 * Vega and Vega-Lite, loaded on first use: they take most of a second to import, and the
 * package root (which a feature repository imports) should not pay for that.
 */
function loadRenderers(): Promise<Renderers> {
  renderers ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vegaLite]) => {
    // Vega's text measure is a module-level hook (vl-convert sets it the same way); without a
    // canvas its default guess truncates labels, so install the Helvetica metrics once.
    (vega as unknown as { textMetrics: { width: typeof vegaTextWidth } }).textMetrics.width =
      vegaTextWidth;
    return { vega, compile: vegaLite.compile };
  });
  return renderers;
}

/**
 * Render a Vega-Lite spec to an SVG string in Node: Vega-Lite compiles it to a Vega spec and
 * a headless Vega view (`renderer: 'none'`) serializes the scenegraph. No canvas, no DOM,
 * no network (specs carry their data inline). `idPrefix` keeps the clip-path and gradient
 * ids of several SVGs inlined in one page apart.
 *
 * @example
 * const svg = await renderSvg({ data: { values: [{ x: 1, y: 2 }] }, mark: 'point',
 *   encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } } }, 'c1');
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const { vega, compile } = await loadRenderers();
  const { spec: vegaSpec } = compile(spec);
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  try {
    // Vega numbers clip paths per process; restart the count so a chart's SVG (and so the
    // page) is the same whatever was rendered before it. The prefix keeps charts apart.
    vega.resetSVGDefIds();
    const svg = await view.toSVG();
    return prefixIds(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

/** Give the `clipN` / `gradient_N` ids of each inlined SVG their own names. */
function prefixIds(svg: string, prefix: string): string {
  return svg.replace(
    /(id="|url\(#|href="#)(clip\d+|gradient_\d+)/g,
    (_match, lead: string, id: string) => `${lead}${prefix}-${id}`,
  );
}
