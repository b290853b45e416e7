// A file's SHA-256 in the browser, sent with the upload so storage verifies the bytes on arrival and
// so the API can say, before anything is sent, which files the user already has.
//
// Web Crypto digests a whole buffer at once (off the page's thread); the slow part is reading the
// file, so it is read as a stream into one buffer with progress, never blocking the page.

/** Lowercase hex SHA-256 of `file`, or null where the browser cannot tell (no Web Crypto: plain
 * http on another host than localhost) or the file could not be read; `onProgress(fraction)` while
 * reading; `isCancelled()` stops early (null). */
export async function sha256Hex(file, { onProgress, isCancelled } = {}) {
  if (!globalThis.crypto?.subtle) return null;
  try {
    const bytes = new Uint8Array(file.size);
    const reader = file.stream().getReader();
    let offset = 0;
    for (;;) {
      if (isCancelled?.()) {
        await reader.cancel();
        return null;
      }
      const { done, value } = await reader.read();
      if (done) break;
      bytes.set(value, offset); // throws if the file grew since it was chosen: then no hash
      offset += value.length;
      onProgress?.(file.size ? offset / file.size : 1);
    }
    if (offset !== file.size) return null;
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  } catch {
    return null; // the upload goes ahead without one; the processor computes it
  }
}
