import { css } from 'lit';

/**
 * The design system: every colour, radius and font is a `--stickyroom-*` custom property with a default, so a
 * shop restyles the widget from its own CSS (`stickyroom-room { --stickyroom-accent: #c2185b }`) and the
 * console and dashboard share one look.
 */
export const tokens = css`
  :host {
    --_accent: var(--stickyroom-accent, #4f46e5);
    --_accent-fg: var(--stickyroom-accent-fg, #ffffff);
    --_bg: var(--stickyroom-bg, #ffffff);
    --_surface: var(--stickyroom-surface, #f6f6f9);
    --_fg: var(--stickyroom-fg, #1c1c28);
    --_muted: var(--stickyroom-muted, #5b5b6e);
    --_border: var(--stickyroom-border, #d9d9e3);
    --_danger: var(--stickyroom-danger, #b42318);
    --_success: var(--stickyroom-success, #067647);
    --_radius: var(--stickyroom-radius, 10px);
    --_gap: var(--stickyroom-gap, 12px);
    --_font: var(--stickyroom-font, system-ui, -apple-system, 'Segoe UI', 'PingFang SC', 'Microsoft YaHei', sans-serif);
    font-family: var(--_font);
    color: var(--_fg);
    font-size: 15px;
    line-height: 1.4;
  }
`;

/** Buttons, fields, cards and notices, shared by every element. */
export const controls = css`
  * { box-sizing: border-box; }
  button {
    font: inherit;
    border: 1px solid var(--_accent);
    background: var(--_accent);
    color: var(--_accent-fg);
    border-radius: calc(var(--_radius) - 4px);
    padding: 6px 12px;
    cursor: pointer;
    min-height: 36px;
  }
  button.secondary { background: transparent; color: var(--_accent); }
  button.danger { background: transparent; color: var(--_danger); border-color: var(--_danger); }
  button.small { min-height: 28px; padding: 2px 8px; font-size: 13px; }
  button:disabled { opacity: 0.55; cursor: default; }
  button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible, a:focus-visible {
    outline: 3px solid color-mix(in srgb, var(--_accent) 45%, transparent);
    outline-offset: 1px;
  }
  input, select, textarea {
    font: inherit;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) - 4px);
    padding: 6px 8px;
    min-height: 36px;
    min-width: 0;
  }
  label { display: flex; flex-direction: column; gap: 2px; font-size: 13px; color: var(--_muted); }
  .card {
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: var(--_gap);
  }
  h2, h3 { margin: 0 0 8px; font-size: 16px; }
  .muted { color: var(--_muted); font-size: 13px; }
  .row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  .notice { border-radius: calc(var(--_radius) - 4px); padding: 6px 10px; font-size: 14px; }
  .notice.error { background: color-mix(in srgb, var(--_danger) 10%, var(--_bg)); color: var(--_danger); }
  .notice.ok { background: color-mix(in srgb, var(--_success) 10%, var(--_bg)); color: var(--_success); }
  .badge {
    display: inline-block; font-size: 12px; padding: 0 6px; border-radius: 999px;
    background: var(--_surface); border: 1px solid var(--_border); color: var(--_muted);
  }
  .badge.live { background: var(--_danger); border-color: var(--_danger); color: #fff; }
  code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; word-break: break-all; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
