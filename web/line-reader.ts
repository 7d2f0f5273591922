// The line reader that checks an uploaded image's number (src/recognize/line-reader.ts), as
// `digitkit predict` does. It is fetched the first time an image is uploaded, not on a first
// visit, and kept (the service worker caches it once fetched). Where it cannot be had (offline
// before any upload), the number is read by the splitter alone, as it was before.
import { LINE_READER_FILE, LineReader } from "../src/recognize/line-reader.ts";

let loading: Promise<LineReader | null> | null = null;

export function loadLineReader(): Promise<LineReader | null> {
  loading ??= fetch(`models/${LINE_READER_FILE}`)
    .then(async (response) => {
      if (!response.ok) throw new Error(`line reader: ${response.status}`);
      return LineReader.fromTflite(new Uint8Array(await response.arrayBuffer()));
    })
    .catch(() => {
      loading = null; // tried again at the next upload
      return null;
    });
  return loading;
}
