/// <reference types="vite-plugin-pwa/vanillajs" />

/** The app's version, from package.json (and LOTWATCH_BUILD_ID when set), defined by vite.config.ts. */
declare const __LOTWATCH_VERSION__: string;
