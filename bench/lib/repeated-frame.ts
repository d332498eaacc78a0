/**
 * `read` remembered for the last frame it read, compared byte for byte. A big room's tick writes one frame to
 * every socket of a phase, so a load generator's sockets get each frame many times in a row: a frame equal to
 * the last one takes its answer (one compare) instead of being searched or decoded again. Generators share
 * the server's cores, so what they spare is the server's. Exact: a frame that differs in any byte is read.
 */
export function onRepeatedFrame<T>(read: (frame: Buffer) => T): (frame: Buffer) => T {
  let last: Buffer | undefined;
  let answer: T;
  return (frame) => {
    if (last === undefined || !last.equals(frame)) {
      answer = read(frame);
      last = frame;
    }
    return answer;
  };
}
