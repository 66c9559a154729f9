// Icons for the web app manifest, generated from the one SVG by `npm run icons` (@vite-pwa/assets-generator).
// The PNGs are committed, so a build needs neither sharp nor this step.
import { defineConfig, minimal2023Preset } from '@vite-pwa/assets-generator/config';

// The icon's own background, so the maskable safe-zone padding and the Apple icon have no white frame.
const background = '#020617';

export default defineConfig({
  headLinkOptions: { preset: '2023' },
  preset: {
    ...minimal2023Preset,
    maskable: { ...minimal2023Preset.maskable, resizeOptions: { background } },
    apple: { ...minimal2023Preset.apple, resizeOptions: { background } },
  },
  images: ['public/icon.svg'],
});
