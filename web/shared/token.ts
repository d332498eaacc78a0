import { readTokenClaims } from '@stickyroom/sdk';

/** What a page shows of its token: read from the JWT's payload, never trusted (the server checks it). */
export interface TokenClaims {
  sub?: string;
  role?: string;
  brandId?: string;
  name?: string;
  exp?: number;
}

export function claimsOf(token: string): TokenClaims {
  return (readTokenClaims(token) ?? {}) as TokenClaims;
}

const STORE_KEY = 'stickyroom.token';

/**
 * A page's token: from the URL fragment (`#token=...`, which browsers never send to the server) or the
 * session's storage. The fragment is removed from the address bar at once, and the token kept for the tab.
 */
export function pageToken(): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    const token = decodeURIComponent(m[1]!);
    history.replaceState(null, '', location.pathname + location.search);
    saveToken(token);
    return token;
  }
  try {
    return sessionStorage.getItem(STORE_KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(STORE_KEY, token);
    else sessionStorage.removeItem(STORE_KEY);
  } catch {
    // storage refused (private mode): the token lives as long as the page
  }
}
