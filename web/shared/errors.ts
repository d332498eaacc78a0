import type { I18n, MessageKey } from './i18n/index.js';

interface Refusal {
  code?: string;
  message?: string;
  reason?: string | undefined;
  retryAfterMs?: number | undefined;
}

/** A refusal from the server (an ack error or an HTTP error body) in the reader's words. */
export function refusalText(i18n: I18n, err: unknown): string {
  const e = (err ?? {}) as Refusal;
  const seconds = Math.max(1, Math.ceil((e.retryAfterMs ?? 0) / 1000));
  const vars = { seconds, message: e.message ?? '' };
  const reasonKey = `reason.${e.reason ?? ''}` as MessageKey;
  if (e.reason && has(i18n, reasonKey)) return i18n.t(reasonKey, vars);
  const codeKey = `error.${e.code ?? 'internal'}` as MessageKey;
  return i18n.t(has(i18n, codeKey) ? codeKey : 'error.internal', vars);
}

function has(i18n: I18n, key: MessageKey): boolean {
  return i18n.t(key) !== key;
}
