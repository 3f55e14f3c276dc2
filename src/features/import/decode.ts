/** How an uploaded file's bytes become text. */
export type Encoding = 'auto' | 'utf-8' | 'windows-1252';
export const ENCODINGS: Encoding[] = ['auto', 'utf-8', 'windows-1252'];

export type Decoded = { ok: true; text: string; encoding: string } | { ok: false; error: string };

/**
 * Decodes an upload. A byte-order mark decides first (UTF-8, UTF-16 LE or BE), whatever was
 * chosen; without one, `auto` takes UTF-8 when the bytes are valid UTF-8 and Windows-1252 (what
 * many banks export) otherwise, so "Café" stays "Café" either way.
 */
export function decodeUpload(bytes: Uint8Array, choice: Encoding): Decoded {
  let text: string;
  let encoding: string;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) [text, encoding] = [new TextDecoder('utf-8').decode(bytes.subarray(3)), 'UTF-8'];
  else if (bytes[0] === 0xff && bytes[1] === 0xfe) [text, encoding] = [new TextDecoder('utf-16le').decode(bytes.subarray(2)), 'UTF-16 LE'];
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) [text, encoding] = [new TextDecoder('utf-16be').decode(bytes.subarray(2)), 'UTF-16 BE'];
  else if (choice === 'windows-1252') [text, encoding] = [new TextDecoder('windows-1252').decode(bytes), 'Windows-1252'];
  else {
    try {
      [text, encoding] = [new TextDecoder('utf-8', { fatal: true }).decode(bytes), 'UTF-8'];
    } catch {
      if (choice === 'utf-8') return { ok: false, error: 'The file is not valid UTF-8. Choose Windows-1252 (or "detect") as the encoding and try again.' };
      [text, encoding] = [new TextDecoder('windows-1252').decode(bytes), 'Windows-1252'];
    }
  }
  if (text.includes('\u0000')) return { ok: false, error: 'That file is not a text file. Export CSV or OFX from your bank and try again.' };
  return { ok: true, text, encoding };
}
