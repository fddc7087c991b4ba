import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Write and respect backpressure: wait for 'drain' when the stream's buffer is full. */
export async function writeText(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}
