import { StickyroomRoom } from './stickyroom-room.js';

export { StickyroomRoom };

// Defined once, even when a page loads the script twice (a second definition would throw).
if (!customElements.get('stickyroom-room')) customElements.define('stickyroom-room', StickyroomRoom);

declare global {
  interface HTMLElementTagNameMap {
    'stickyroom-room': StickyroomRoom;
  }
}
