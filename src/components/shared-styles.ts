import { css } from 'lit';

/** Text for screen readers only. */
export const visuallyHiddenStyles = css`
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    padding: 0;
  }
`;

/** Touch-friendly controls (44 px targets) shared by the panels. */
export const controlStyles = css`
  button,
  .button {
    min-height: 44px;
    min-width: 44px;
    padding: 0 14px;
    border-radius: 10px;
    border: 1px solid #334155;
    background: #1e293b;
    color: #e2e8f0;
    font: inherit;
    font-weight: 600;
    cursor: pointer;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 6px;
  }
  button:hover,
  .button:hover {
    background: #273449;
  }
  button[aria-pressed='true'] {
    background: #facc15;
    color: #111827;
    border-color: #facc15;
  }
  button.primary {
    background: #2563eb;
    border-color: #2563eb;
    color: #fff;
  }
  button.danger {
    color: #fecaca;
    border-color: #7f1d1d;
  }
  button:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  :focus-visible {
    outline: 3px solid #38bdf8;
    outline-offset: 2px;
  }
  input,
  select {
    min-height: 44px;
    box-sizing: border-box;
    border-radius: 8px;
    border: 1px solid #334155;
    background: #0b1220;
    color: #e2e8f0;
    font: inherit;
    padding: 0 10px;
  }
  ${visuallyHiddenStyles}
`;
