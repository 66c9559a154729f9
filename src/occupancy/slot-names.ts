// What a slot's name or id may hold. Names are shown, published and exported (CSV), where control characters
// (NUL, ESC, CR, a pasted tab) do harm and no good; the relay refuses them.

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/** C0 and C1 controls and DEL. */
export const hasControlCharacters = (s: string): boolean => CONTROL.test(s);

/** A name as typed, with control characters turned into spaces and the ends trimmed. */
export const cleanName = (s: string): string => s.replace(CONTROLS, ' ').trim();
