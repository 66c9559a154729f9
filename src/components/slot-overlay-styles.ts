import { css } from 'lit';

/** The slot overlay's look: slots by state, the editor's handles, knobs, drafts, lasso and reticle. */
export const slotOverlayStyles = css`
  :host {
    position: absolute;
    inset: 0;
    display: block;
    touch-action: none;
    user-select: none;
    -webkit-user-select: none;
    overflow: hidden;
  }
  svg {
    width: 100%;
    height: 100%;
    display: block;
    cursor: default;
  }
  svg:focus {
    outline: none;
  }
  svg:focus-visible {
    outline: 3px solid #38bdf8;
    outline-offset: -3px;
  }
  :host([editing]) svg {
    cursor: crosshair;
  }
  .slot polygon {
    fill-opacity: 0.22;
    stroke-width: 2;
    vector-effect: non-scaling-stroke;
  }
  .slot.free polygon {
    fill: #16a34a;
    stroke: #4ade80;
  }
  .slot.occupied polygon {
    fill: #dc2626;
    stroke: #f87171;
  }
  .slot.unknown polygon {
    fill: #64748b;
    stroke: #cbd5e1;
    stroke-dasharray: 4 3;
  }
  .slot.closed polygon {
    fill: #334155;
    stroke: #94a3b8;
    stroke-dasharray: 6 4;
  }
  .slot.pending polygon {
    stroke-dasharray: 6 3;
  }
  .slot.unsure polygon {
    stroke: #fde047;
    stroke-width: 2.5;
    stroke-dasharray: 2 3;
  }
  .slot.selected polygon {
    stroke: #facc15;
    stroke-width: 3;
    fill-opacity: 0.3;
  }
  :host([editing]) .slot {
    cursor: move;
  }
  .slot:focus,
  .handle-key:focus {
    outline: none;
  }
  .slot:focus-visible polygon {
    stroke: #38bdf8;
    stroke-width: 4;
  }
  .label {
    fill: #fff;
    paint-order: stroke;
    stroke: rgb(0 0 0 / 0.75);
    stroke-width: 3px;
    font: 600 1px system-ui, sans-serif;
    text-anchor: middle;
    dominant-baseline: central;
    pointer-events: none;
  }
  .detection {
    fill: none;
    stroke: #38bdf8;
    stroke-width: 1.5;
    vector-effect: non-scaling-stroke;
    pointer-events: none;
  }
  /* Rings, not discs: the corner they mark stays visible under them. */
  .handle {
    fill: none;
    stroke: #facc15;
    stroke-width: 2.5;
    vector-effect: non-scaling-stroke;
    pointer-events: none;
    filter: drop-shadow(0 0 1px #000);
  }
  .handle-key {
    fill: transparent;
  }
  .handle-key:focus-visible + .handle,
  .handle-key:focus-visible {
    stroke: #38bdf8;
    stroke-width: 3;
    vector-effect: non-scaling-stroke;
  }
  .draft,
  .group-outline {
    fill: #facc15;
    fill-opacity: 0.12;
    stroke: #facc15;
    stroke-width: 2;
    stroke-dasharray: 5 4;
    vector-effect: non-scaling-stroke;
    pointer-events: none;
  }
  .group-outline {
    fill: none;
  }
  .group-outline:focus-visible {
    stroke: #38bdf8;
    stroke-width: 4;
  }
  .lasso {
    fill: #38bdf8;
    fill-opacity: 0.12;
    stroke: #38bdf8;
    stroke-width: 2;
    stroke-dasharray: 4 3;
    vector-effect: non-scaling-stroke;
    pointer-events: none;
  }
  .divider {
    stroke: #facc15;
    stroke-width: 1.5;
    stroke-dasharray: 3 3;
    vector-effect: non-scaling-stroke;
    pointer-events: none;
  }
  .divider.pinned {
    stroke-dasharray: none;
    stroke-width: 2.5;
  }
  .knob {
    fill: #0f172a;
    stroke: #facc15;
    stroke-width: 2;
    vector-effect: non-scaling-stroke;
  }
  .knob-icon {
    fill: #facc15;
    font: 700 1px system-ui, sans-serif;
    text-anchor: middle;
    dominant-baseline: central;
    pointer-events: none;
  }
  .reticle {
    stroke: #38bdf8;
    stroke-width: 1.5;
    vector-effect: non-scaling-stroke;
    pointer-events: none;
  }
  lw-magnifier {
    position: absolute;
    top: 6px;
  }
`;
