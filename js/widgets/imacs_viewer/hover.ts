// Hover a segment: its source image (fetched on demand with the `source_image` command, cached)
// with the segment outlined, and both models' predicted class and probability (thesis §4.7).
import type { AnyModel } from '@anywidget/types';
import { h, request } from '../_kit/index';
import type { Segments } from './data';
import { OUTCOMES } from './data';

interface Source { info: any; image: HTMLImageElement }

export const SOURCE_PX = 160;

export function mountHover(model: AnyModel, root: HTMLElement, getSeg: () => Segments | null): () => void {
  const tip = h('div', { class: 'mlnb-imacs-tip', hidden: true });
  root.append(tip);
  const cache = new Map<number, Promise<Source>>();
  let current = -1;

  const fetchSource = (image: number): Promise<Source> => {
    let p = cache.get(image);
    if (!p) {
      p = request(model, 'source_image', { image }).then(async ({ value, buffers }) => {
        const blob = new Blob([buffers[0] as unknown as ArrayBuffer], { type: 'image/png' });
        const img = new Image();
        img.src = URL.createObjectURL(blob);
        await img.decode();
        return { info: value, image: img };
      });
      p.catch(() => cache.delete(image));
      cache.set(image, p);
    }
    return p;
  };

  const show = async (row: number, ev: MouseEvent) => {
    const seg = getSeg();
    if (!seg) return;
    const t0 = performance.now();
    current = row;
    const image = seg.image[row];
    place(ev);
    let src: Source;
    try {
      src = await fetchSource(image);
    } catch (err) {
      tip.replaceChildren(h('div', { class: 'mlnb-imacs-tip-error' }, String((err as Error).message || err)));
      tip.hidden = false;
      return;
    }
    if (current !== row) return;
    const canvas = document.createElement('canvas');
    const w = src.image.naturalWidth, hgt = src.image.naturalHeight;
    const scale = SOURCE_PX / Math.max(w, hgt);
    canvas.width = Math.round(w * scale); canvas.height = Math.round(hgt * scale);
    canvas.className = 'mlnb-imacs-source';
    const ctx = canvas.getContext('2d');
    if (ctx) {
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(src.image, 0, 0, canvas.width, canvas.height);
      const b = 4 * row;
      const [y0, x0, y1, x1] = [seg.bbox[b], seg.bbox[b + 1], seg.bbox[b + 2], seg.bbox[b + 3]];
      tip.dataset.outline = [x0 * scale, y0 * scale, (x1 - x0) * scale, (y1 - y0) * scale].map(v => v.toFixed(1)).join(',');
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#000';
      ctx.strokeRect(x0 * scale + 1.5, y0 * scale + 1.5, (x1 - x0) * scale - 3, (y1 - y0) * scale - 3);
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#ffeb3b';
      ctx.strokeRect(x0 * scale + 1.5, y0 * scale + 1.5, (x1 - x0) * scale - 3, (y1 - y0) * scale - 3);
    }
    const i = src.info;
    const pct = (p: number) => `${(p * 100).toFixed(0)}%`;
    tip.replaceChildren(
      canvas,
      h('div', { class: 'mlnb-imacs-tip-text' },
        h('div', {}, `image ${i.image} · label ${i.label}`),
        h('div', { class: 'model-a-text' }, `A predicts ${i.a.predicted} (${pct(i.a.probability)})`),
        h('div', { class: 'model-b-text' }, `B predicts ${i.b.predicted} (${pct(i.b.probability)})`),
        h('div', {}, `segment of ${seg.model[row] ? 'B' : 'A'}: ${OUTCOMES[seg.outcome[row]]}, attribution ${seg.attr[row].toFixed(3)}`)));
    tip.hidden = false;
    tip.dataset.row = String(row);
    tip.dataset.ms = (performance.now() - t0).toFixed(1);   // read by the browser benchmark
  };

  const place = (ev: MouseEvent) => {
    const r = root.getBoundingClientRect();
    let x = ev.clientX - r.left + 16, y = ev.clientY - r.top + 16;
    if (x + 200 > r.width) x = Math.max(0, ev.clientX - r.left - 216);
    tip.style.left = `${x}px`;
    tip.style.top = `${y}px`;
  };

  const over = (ev: MouseEvent) => {
    const el = (ev.target as HTMLElement).closest?.('[data-row]') as HTMLElement | null;
    if (!el || !root.contains(el)) return;
    const row = Number(el.dataset.row);
    if (row !== current || tip.hidden) void show(row, ev);
  };
  const out = (ev: MouseEvent) => {
    const to = ev.relatedTarget as HTMLElement | null;
    if (to && to.closest?.('[data-row]')) return;
    current = -1;
    tip.hidden = true;
  };
  root.addEventListener('mouseover', over);
  root.addEventListener('mouseout', out);
  return () => {
    root.removeEventListener('mouseover', over);
    root.removeEventListener('mouseout', out);
    tip.remove();
  };
}
