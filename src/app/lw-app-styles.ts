import { css } from 'lit';

/**
 * The counting screen's layout, built around the number: the counts come first (above the picture on a phone held
 * upright; at the top of the side column on a desktop or a phone turned sideways, next to a picture that fits the
 * screen's height), so nothing opened under the picture pushes them away.
 */
export const appStyles = css`
  :host {
    display: block;
    min-height: 100vh;
    min-height: 100dvh;
    background: #020617;
    color: #e2e8f0;
    font: 16px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    --header: 61px;
  }
  /* One row: the name, the source (folded once it runs) and History; on a narrow screen the offline badge goes under. */
  header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px 8px;
    padding: 8px 12px;
    border-bottom: 1px solid #1e293b;
  }
  .brand {
    display: contents;
  }
  .actions {
    order: 1;
    margin-left: auto;
    display: flex;
    flex-wrap: wrap;
    justify-content: flex-end;
    align-items: center;
    gap: 8px;
  }
  lw-offline-status {
    order: 2;
  }
  @media (min-width: 600px) {
    lw-offline-status {
      order: 0;
    }
  }
  h1 {
    font-size: 1.25rem;
    margin: 0;
    letter-spacing: 0.02em;
  }
  main {
    display: grid;
    gap: 10px;
    padding: 10px 12px 12px;
    grid-template-columns: minmax(0, 1fr);
    grid-template-areas: 'counts' 'lot' 'side';
  }
  .counts {
    grid-area: counts;
    display: grid;
    gap: 6px;
  }
  .lot {
    grid-area: lot;
    min-width: 0;
    display: grid;
    gap: 8px;
    align-content: start;
  }
  aside {
    grid-area: side;
    display: grid;
    gap: 10px;
    align-content: start;
    min-width: 0;
  }
  /* A desktop, or a phone turned sideways: the picture on the left, the counts at the top of the right column. */
  @media (min-width: 900px), (orientation: landscape) and (max-height: 560px) {
    main {
      grid-template-columns: minmax(0, 1fr) minmax(220px, 340px);
      grid-template-rows: auto 1fr;
      grid-template-areas: 'lot counts' 'lot side';
      align-items: start;
    }
    .counts {
      position: sticky;
      top: 8px;
      z-index: 2;
    }
  }
  @media (orientation: landscape) and (max-height: 560px) {
    :host {
      --header: 53px;
    }
    header {
      padding: 4px 12px;
    }
    main {
      grid-template-columns: minmax(0, 1fr) minmax(200px, 36%);
      padding-top: 6px;
    }
  }
  .notices {
    display: grid;
    gap: 8px;
  }
  .stage {
    position: relative;
    width: 100%;
    margin: 0 auto;
    background: #000;
    border-radius: 12px;
    overflow: hidden;
    /* Never taller than the screen under the header (70% of it when the counts sit above the picture). */
    --room: calc(70dvh - var(--header));
    max-height: var(--room);
    max-width: calc(var(--room) * var(--ratio));
  }
  @media (min-width: 900px), (orientation: landscape) and (max-height: 560px) {
    .stage {
      --room: calc(100dvh - var(--header) - 24px);
    }
  }
  /* The picture zooms with a transform; the overlay zooms its viewBox to match (see lw-slot-overlay). */
  .picture {
    position: absolute;
    inset: 0;
    transform-origin: 0 0;
  }
  .picture > video,
  .picture > img,
  .picture > canvas {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: fill;
    display: block;
  }
  .placeholder {
    box-sizing: border-box;
    display: grid;
    place-items: center;
    width: 100%;
    min-height: 180px;
    background: #0f172a;
    border-radius: 12px;
    color: #94a3b8;
    text-align: center;
    padding: 16px;
    overflow-wrap: anywhere;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  .hint {
    color: #94a3b8;
    font-size: 0.9rem;
  }
  .still {
    color: #facc15;
  }
  .editor {
    display: grid;
    gap: 8px;
  }
  .editor:empty {
    display: none;
  }
  .editor-notice {
    margin: 0;
    font-size: 0.9rem;
  }
  .editor-notice.error {
    color: #fecaca;
  }
  .editor-notice.info {
    color: #bbf7d0;
  }
  details {
    background: #0f172a;
    border-radius: 12px;
    padding: 0 12px;
  }
  details[open] {
    padding-bottom: 10px;
  }
  summary {
    min-height: 44px;
    display: flex;
    align-items: center;
    gap: 8px;
    cursor: pointer;
    font-weight: 600;
    list-style: none;
  }
  summary::-webkit-details-marker {
    display: none;
  }
  /* A chevron says the card opens, and turns when it is open. */
  summary::after {
    content: '';
    margin-left: auto;
    width: 8px;
    height: 8px;
    border-right: 2px solid #94a3b8;
    border-bottom: 2px solid #94a3b8;
    transform: rotate(45deg);
    transition: transform 0.15s;
  }
  details[open] > summary::after {
    transform: rotate(225deg);
  }
  .count-badge {
    color: #94a3b8;
    font-weight: 400;
  }
  a.button {
    text-decoration: none;
  }
  /* Over the counter, which keeps counting (and recording) underneath. */
  lw-history-page.history {
    position: fixed;
    inset: 0;
    overflow-y: auto;
    background: #020617;
    padding: 12px;
    z-index: 10;
  }
`;
