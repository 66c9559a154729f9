import { LitElement, css, html } from 'lit';
import { changeDelayMs } from '../settings/cadence.ts';
import { BACKEND_PREFERENCES, sanitizeSettings, type Settings } from '../settings/settings.ts';
import { controlStyles } from './shared-styles.ts';

const CADENCES: readonly [number, string][] = [
  [0, 'continuous'],
  [1000, 'once a second'],
  [5000, 'every 5 seconds'],
];

/** The knobs: backend, detector score, sensitivity, hysteresis, cadence. Fires `settings-changed` with valid settings. */
export class LwSettingsPanel extends LitElement {
  static override properties = {
    settings: { attribute: false },
    backendNote: { type: String, attribute: 'backend-note' },
    frameMs: { type: Number, attribute: 'frame-ms' },
  };
  declare settings: Settings;
  declare backendNote: string;
  /** How long a frame takes on this device (0 before the first one), for the "a change shows within" hint. */
  declare frameMs: number;

  constructor() {
    super();
    this.frameMs = 0;
  }

  static override styles = [
    controlStyles,
    css`
      :host {
        display: block;
      }
      form {
        display: grid;
        gap: 10px;
      }
      label {
        display: grid;
        gap: 4px;
        font-size: 0.9rem;
        color: #cbd5e1;
      }
      .check {
        display: flex;
        align-items: center;
        gap: 10px;
        min-height: 44px;
      }
      .check input {
        width: 22px;
        min-height: 22px;
      }
      small {
        color: #94a3b8;
      }
    `,
  ];

  override render() {
    const s = this.settings;
    return html`<form @change=${this.onChange} @submit=${(e: Event) => e.preventDefault()}>
      <label
        >Detection backend
        <select name="backend">
          ${BACKEND_PREFERENCES.map((b) => html`<option value=${b} ?selected=${s.backend === b}>${b === 'auto' ? 'automatic' : b}</option>`)}
        </select>
        <small>${this.backendNote}</small>
      </label>
      <label
        >Sensitivity (0 = as trained; higher finds more cars, lower gives fewer false alarms)
        <input name="sensitivity" type="number" min="-3" max="3" step="0.5" .value=${String(s.sensitivity)} />
      </label>
      <label
        >Lowest detector score kept
        <input name="minScore" type="number" min="0.05" max="0.95" step="0.05" .value=${String(s.minScore)} />
      </label>
      <label
        >A change must hold for this many frames
        <input name="holdFrames" type="number" min="0" max="100" step="1" .value=${String(s.holdFrames)} />
      </label>
      <label
        >…and this many seconds
        <input name="holdSeconds" type="number" min="0" max="600" step="0.5" .value=${String(s.holdMs / 1000)} />
      </label>
      <label
        >How often to count
        <select name="cadenceMs">
          ${CADENCES.map(([ms, label]) => html`<option value=${ms} ?selected=${s.cadenceMs === ms}>${label}</option>`)}
        </select>
        <small data-change-delay
          >A parked or departing car changes the count within about
          ${Math.ceil(changeDelayMs({ cadenceMs: s.cadenceMs, frameMs: this.frameMs || 150, holdFrames: s.holdFrames, holdMs: s.holdMs }) / 1000)}
          s. Slower counting saves battery and heat.</small
        >
      </label>
      <label class="check"><input name="showDetections" type="checkbox" .checked=${s.showDetections} /> Show detected vehicles</label>
    </form>`;
  }

  private onChange = (e: Event): void => {
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const num = (k: string) => Number(data.get(k));
    const next = sanitizeSettings({
      ...this.settings,
      backend: data.get('backend'),
      sensitivity: num('sensitivity'),
      minScore: num('minScore'),
      holdFrames: num('holdFrames'),
      holdMs: num('holdSeconds') * 1000,
      cadenceMs: num('cadenceMs'),
      showDetections: data.get('showDetections') === 'on',
    });
    this.dispatchEvent(new CustomEvent('settings-changed', { detail: next, bubbles: true, composed: true }));
  };
}

customElements.define('lw-settings-panel', LwSettingsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'lw-settings-panel': LwSettingsPanel;
  }
  interface HTMLElementEventMap {
    'settings-changed': CustomEvent<Settings>;
  }
}
