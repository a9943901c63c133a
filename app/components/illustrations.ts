// Inline illustrations (no request to a CDN, so they also show in the local preview).
const svg = (markup: string) => `data:image/svg+xml,${encodeURIComponent(markup)}`;

/** Empty jobs list: a product photo turning into a clean catalog image. */
export const EMPTY_JOBS_ILLUSTRATION = svg(`<svg xmlns="http://www.w3.org/2000/svg" width="226" height="226" viewBox="0 0 226 226">
  <circle cx="113" cy="113" r="104" fill="#f1f1f1"/>
  <rect x="30" y="62" width="82" height="92" rx="10" fill="#e3e3e3"/>
  <rect x="40" y="72" width="62" height="62" rx="6" fill="#cfcfcf"/>
  <rect x="56" y="88" width="30" height="34" rx="5" fill="#c0392b"/>
  <path d="M86 96h6a6 6 0 0 1 0 12h-6" stroke="#c0392b" stroke-width="4" fill="none"/>
  <path d="M120 108h18m-7-7 7 7-7 7" stroke="#8a8a8a" stroke-width="4" fill="none" stroke-linecap="round" stroke-linejoin="round"/>
  <rect x="144" y="62" width="56" height="92" rx="10" fill="#ffffff" stroke="#e3e3e3" stroke-width="2"/>
  <rect x="158" y="92" width="22" height="26" rx="4" fill="#c0392b"/>
  <path d="M180 98h4a5 5 0 0 1 0 10h-4" stroke="#c0392b" stroke-width="3" fill="none"/>
  <ellipse cx="170" cy="122" rx="16" ry="3" fill="#000" opacity=".12"/>
  <path d="M186 48l3 7 7 3-7 3-3 7-3-7-7-3 7-3z" fill="#ffb800"/>
</svg>`);
