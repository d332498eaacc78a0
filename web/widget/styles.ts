import { css } from 'lit';

export const widgetStyles = css`
  :host { display: block; max-width: 100%; min-width: 0; }
  :host([hidden]) { display: none; }
  .room {
    display: flex; flex-direction: column; gap: var(--_gap);
    background: var(--_surface); border-radius: var(--_radius); padding: var(--_gap);
    min-height: 100%;
  }
  header { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; flex-wrap: wrap; }
  .title { display: flex; gap: 6px; align-items: baseline; min-width: 0; overflow-wrap: anywhere; }
  .points { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; font-size: 14px; }
  .product { display: flex; gap: 10px; align-items: center; }
  .product img { border-radius: 6px; object-fit: cover; }
  .grow { flex: 1; min-width: 0; overflow-wrap: anywhere; }
  a.button {
    display: inline-flex; align-items: center; min-height: 36px; padding: 6px 12px; text-decoration: none;
    background: var(--_accent); color: var(--_accent-fg); border-radius: calc(var(--_radius) - 4px);
  }
  .options { display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: 6px; }
  .options button { overflow-wrap: anywhere; }
  .counts { list-style: none; padding: 0; margin: 0 0 6px; }
  .counts li { display: flex; justify-content: space-between; gap: 8px; padding: 2px 0; }
  .counts li.correct { font-weight: 600; color: var(--_success); }
  .winners { margin: 0 0 6px; padding-left: 20px; overflow-wrap: anywhere; }
  details summary { cursor: pointer; font-size: 13px; color: var(--_muted); }
  .code { font-size: 16px; font-weight: 600; letter-spacing: 1px; }
  .chat { display: flex; flex-direction: column; gap: 8px; }
  .messages ol { list-style: none; margin: 0; padding: 0; }
  .messages {
    overflow-y: auto;
    height: var(--stickyroom-chat-height, 260px);
  }
  .messages li { padding: 3px 0; overflow-wrap: anywhere; }
  .messages .earlier { display: block; margin: 0 auto 6px; }
  .name { font-weight: 600; }
  .pinned { margin: 0; padding: 6px; background: var(--_surface); border-radius: 6px; overflow-wrap: anywhere; }
  .composer { display: flex; gap: 6px; }
  .composer input { flex: 1; }
  p { margin: 0 0 6px; }
  .bars { list-style: none; padding: 0; margin: 0 0 6px; display: flex; flex-direction: column; gap: 6px; }
  .bar-label { display: flex; gap: 8px; font-size: 14px; overflow-wrap: anywhere; }
  .bars li.mine .bar-label { font-weight: 600; }
  .track { height: 8px; background: var(--_surface); border-radius: 4px; overflow: hidden; }
  .bar { height: 100%; width: 0; background: var(--_accent); border-radius: 4px; transition: width 0.3s; }
  .survey { display: flex; flex-direction: column; gap: 8px; }
  .scale { border: 0; margin: 0; padding: 0; min-width: 0; }
  .scale legend { padding: 0; margin-bottom: 6px; overflow-wrap: anywhere; }
  .scores { display: grid; grid-template-columns: repeat(11, minmax(0, 1fr)); gap: 3px; }
  .score { position: relative; display: block; color: var(--_fg); font-size: 14px; }
  .score input { position: absolute; opacity: 0; inset: 0; width: 100%; height: 100%; margin: 0; cursor: pointer; min-height: 0; }
  .score span:not(.sr-only) {
    display: flex; align-items: center; justify-content: center; min-height: 36px;
    border: 1px solid var(--_accent); border-radius: 6px; color: var(--_accent); background: var(--_bg);
  }
  .score input:checked + span { background: var(--_accent); color: var(--_accent-fg); }
  .score input:focus-visible + span { outline: 3px solid color-mix(in srgb, var(--_accent) 45%, transparent); outline-offset: 1px; }
  .ends { display: flex; justify-content: space-between; gap: 8px; font-size: 13px; color: var(--_muted); margin-top: 4px; }
  .survey textarea { resize: vertical; }
  .reward-list { list-style: none; padding: 0; margin: 0; display: flex; flex-direction: column; gap: 8px; }
  .reward { border-top: 1px solid var(--_border); padding-top: 8px; }
  .reward:first-child { border-top: 0; padding-top: 0; }
  .reward-head { display: flex; gap: 8px; align-items: center; }
  .reward p { margin: 4px 0 0; }
`;
