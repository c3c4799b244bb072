/**
 * A chart as a PNG for a paper or a slide: drawn again offscreen at twice its on-screen size
 * (Chart.js at devicePixelRatio 2), with its legend, on an opaque background, under a title band.
 * Nothing is loaded and no style attribute is written: the page's strict CSP holds.
 */
import { Chart } from '../shared/charts';

export const PNG_SCALE = 2;
/** The title band's height in CSS pixels (drawn at PNG_SCALE). */
export const TITLE_BAND = 32;

/**
 * Draws `make(canvas)`'s chart with `source`'s data offscreen at PNG_SCALE, then the title above
 * it; returns the `data:image/png;base64,` URL. `make` builds the same kind of chart as `source`
 * (the same axes and options), so the copy looks like what the person sees.
 */
export function chartPng(source: Chart, make: (canvas: HTMLCanvasElement) => Chart, title: string, background: string): string {
  const width = source.width;
  const height = source.height;
  // An offscreen box of the chart's own CSS size: the chart fills it, at twice the pixels.
  const box = document.createElement('div');
  box.style.position = 'fixed';
  box.style.left = '-100000px';
  box.style.top = '0';
  box.style.width = `${width}px`;
  box.style.height = `${height}px`;
  const canvas = document.createElement('canvas');
  box.append(canvas);
  document.body.append(box);
  const copy = make(canvas);
  try {
    copy.options.devicePixelRatio = PNG_SCALE;
    copy.data.datasets = source.data.datasets.map((d) => ({ ...d }));
    copy.resize(width, height);
    copy.update('none');
    const out = document.createElement('canvas');
    out.width = width * PNG_SCALE;
    out.height = (height + TITLE_BAND) * PNG_SCALE;
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.fillStyle = String(Chart.defaults.color);
    ctx.font = `bold ${14 * PNG_SCALE}px ${Chart.defaults.font.family ?? 'sans-serif'}`;
    ctx.textBaseline = 'middle';
    ctx.fillText(title, 8 * PNG_SCALE, (TITLE_BAND / 2) * PNG_SCALE, out.width - 16 * PNG_SCALE);
    ctx.drawImage(copy.canvas, 0, TITLE_BAND * PNG_SCALE, width * PNG_SCALE, height * PNG_SCALE);
    return out.toDataURL('image/png');
  } finally {
    copy.destroy();
    box.remove();
  }
}
