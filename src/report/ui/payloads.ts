// In-page access to the per-span stored payloads, embedded as JSON lines after the viewer script.
import type { PayloadStore } from './types.js';

/**
 * Reads the `<script id="{elementId}">` block after the page is parsed: one JSON document per line,
 * line i for span i. With `data-encoding="gzip-base64"` it holds newline-separated base64 blocks of
 * `data-block` gzipped lines each.
 * why: the block comes after the viewer script, so the tree is drawn before the browser has even
 * parsed the payloads; big ones are gzipped because Chromium's HTML tokenizer reads only ~30 MB/s,
 * and split so that a click inflates ~1 MB, not the whole trace, while the rest inflates in the
 * background. A search runs `indexOf` over one lower-cased string per block instead of 100,000
 * small strings.
 */
export function createPayloadStore(elementId: string, count: number): PayloadStore {
  let perBlock = Math.max(1, count);
  let encoded: string[] = [];
  let texts: Array<string | null> = [];
  let starts: Array<Int32Array | null> = [];
  let lowers: Array<{ text: string; starts: Int32Array } | null> = [];
  let pending: Array<Promise<void> | null> = [];
  let loaded = 0;
  let started = false;
  let failed = false;
  const waiting: Array<() => void> = [];
  const blockListeners: Array<() => void> = [];
  const wanted: number[] = [];

  const lineStarts = (s: string, lines: number): Int32Array => {
    const out = new Int32Array(lines + 1);
    let at = 0;
    for (let i = 0; i < lines; i++) {
      out[i] = at;
      const nl = s.indexOf('\n', at);
      at = nl < 0 ? s.length + 1 : nl + 1;
    }
    out[lines] = Math.max(at, s.length + 1);
    return out;
  };
  const linesIn = (block: number): number => Math.max(0, Math.min(perBlock, count - block * perBlock));
  const decodeBase64 = (b64: string): Uint8Array => {
    const native = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
    if (typeof native === 'function') return native(b64);
    const binary = atob(b64);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  };
  const settle = (block: number, value: string | null): void => {
    if (value === null) failed = true;
    texts[block] = value ?? '';
    starts[block] = lineStarts(value ?? '', linesIn(block));
    loaded++;
    for (const callback of blockListeners) callback();
    if (loaded === texts.length) {
      performance.mark('osp-payloads-ready');
      for (const callback of waiting.splice(0)) callback();
    }
  };
  const inflate = (block: number): Promise<void> => {
    const existing = pending[block];
    if (existing) return existing;
    const job = (async () => {
      try {
        const stream = new Blob([decodeBase64(encoded[block]) as unknown as BlobPart])
          .stream()
          .pipeThrough(new DecompressionStream('gzip'));
        settle(block, await new Response(stream).text());
      } catch {
        settle(block, null);
      }
      encoded[block] = '';
    })();
    pending[block] = job;
    return job;
  };
  const start = (): void => {
    if (started) return;
    started = true;
    const node = document.getElementById(elementId);
    const body = node?.textContent ?? '';
    if (node?.getAttribute('data-encoding') !== 'gzip-base64' || count === 0) {
      texts = [null];
      starts = [null];
      lowers = [null];
      return settle(0, body);
    }
    perBlock = Math.max(1, Number(node.getAttribute('data-block')) || count);
    encoded = body.split('\n').map((b) => b.trim());
    const blocks = Math.max(1, Math.ceil(count / perBlock));
    texts = new Array(blocks).fill(null);
    starts = new Array(blocks).fill(null);
    lowers = new Array(blocks).fill(null);
    pending = new Array(blocks).fill(null);
    if (typeof DecompressionStream !== 'function') {
      for (let b = 0; b < blocks; b++) settle(b, null);
      return;
    }
    // Background: one block after another, so clicks and scrolls interleave.
    // Spans asked for before the page was parsed first, then the rest one block after another,
    // so clicks and scrolls interleave with the background work.
    for (const index of wanted.splice(0)) void inflate(Math.min(blocks - 1, Math.floor(index / perBlock)));
    void (async () => {
      for (let b = 0; b < blocks; b++) await inflate(b);
    })();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();

  return {
    state: () => (loaded < texts.length || !started ? 'loading' : failed ? 'failed' : 'ready'),
    whenReady(callback) {
      if (started && loaded === texts.length) callback();
      else waiting.push(callback);
    },
    onBlock(callback) {
      blockListeners.push(callback);
    },
    spanState(index) {
      const block = Math.floor(index / perBlock);
      if (!started || texts[block] === null) {
        if (!started) wanted.push(index);
        else if (block < texts.length) void inflate(block);
        return 'loading';
      }
      return failed && texts[block] === '' ? 'failed' : 'ready';
    },
    text(index) {
      const block = Math.floor(index / perBlock);
      const text = texts[block];
      const table = starts[block];
      if (!text || !table || index < 0 || index >= count) return null;
      const local = index - block * perBlock;
      const line = text.slice(table[local], table[local + 1] - 1);
      return line === '' ? null : line;
    },
    search(term) {
      if (!started || loaded < texts.length) return null;
      // The payloads are JSON with <, > and & written as \u003c etc.: look for the term the same way.
      const needle = JSON.stringify(term)
        .slice(1, -1)
        .replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
        .toLowerCase();
      const hits = new Uint8Array(count);
      if (needle === '') return hits;
      for (let b = 0; b < texts.length; b++) {
        let lower = lowers[b];
        if (lower === null) {
          // why: lower-casing can change the length of some characters, so line starts are found
          // again in the copy (it has the same newlines).
          const text = (texts[b] ?? '').toLowerCase();
          lower = { text, starts: lineStarts(text, linesIn(b)) };
          lowers[b] = lower;
        }
        const lines = linesIn(b);
        for (let at = lower.text.indexOf(needle); at >= 0;) {
          let lo = 0;
          let hi = lines - 1;
          while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (lower.starts[mid] <= at) lo = mid;
            else hi = mid - 1;
          }
          hits[b * perBlock + lo] = 1;
          // why: one hit per span is enough; continue from the next line.
          at = lower.text.indexOf(needle, lower.starts[lo + 1]);
        }
      }
      return hits;
    },
  };
}
