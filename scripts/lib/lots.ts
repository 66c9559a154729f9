// Labelled lot folders in the fixture format (FORMAT.md): labels/*.json next to the images they name.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { RgbaFrame } from '../../src/camera/frame.ts';
import { labelledSlotsOf, parseLabelledFrame, type LabelledDetails, type LabelledSlot } from '../../src/layout/layout-format.ts';
import { decodeImage } from './decode-image.ts';
import { toAnalysisFrame } from './resize.ts';

export interface LotFrame {
  /** The lot's name: `lot` of the label, else the folder's name. */
  readonly lot: string;
  readonly dir: string;
  readonly labelPath: string;
  readonly imagePath: string;
  /** The image path as the label gives it (relative to the lot folder). */
  readonly image: string;
  readonly label: LabelledDetails & { readonly width: number; readonly height: number };
  readonly slots: LabelledSlot[];
}

/** The frames of one lot folder, in file-name order. */
export function readLot(dir: string): LotFrame[] {
  const root = resolve(dir);
  const labels = join(root, 'labels');
  if (!existsSync(labels)) throw new Error(`${dir}: no labels/ folder (see FORMAT.md)`);
  const files = readdirSync(labels).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`${dir}: labels/ has no .json files`);
  return files.map((f) => {
    const labelPath = join(labels, f);
    const read = parseLabelledFrame(JSON.parse(readFileSync(labelPath, 'utf8')), labelPath);
    if (!read.ok) throw new Error(read.error);
    const label = { ...read.layout.labelled!, ...read.layout.frame };
    const imagePath = join(root, label.image);
    if (!existsSync(imagePath)) throw new Error(`${labelPath}: image ${label.image} not found`);
    return { lot: label.lot ?? basename(root), dir: root, labelPath, imagePath, image: label.image, label, slots: labelledSlotsOf(read.layout) };
  });
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Decodes the image and scales it to the size the app analyses. */
export function loadAnalysisFrame(path: string): RgbaFrame {
  return toAnalysisFrame(decodeImage(path));
}
