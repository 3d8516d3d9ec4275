// Reads the C2PA manifest store of a file with c2pa-rs (@contentauth/c2pa-wasm) and prints what it found as JSON:
//   node c2pa-read.mjs FILE MIME-TYPE
// prints {"manifest": <the active manifest>, "validationState", "failures", "informational", "success" (status codes),
// "raw" (c2pa-rs's validation_status and validation_results, for test messages)}; when c2pa-rs finds no manifest store,
// {"manifest": null, "error": its message} with empty code lists.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { initSync, WasmReader } from '@contentauth/c2pa-wasm';

const [file, format] = process.argv.slice(2);
if (!file || !format) {
  console.error('usage: node c2pa-read.mjs FILE MIME-TYPE');
  process.exit(2);
}
const require = createRequire(import.meta.url);
initSync({ module: readFileSync(require.resolve('@contentauth/c2pa-wasm/c2pa.wasm')) });

let reader;
try {
  reader = await WasmReader.fromBytes(format, new Uint8Array(readFileSync(file)));
} catch (error) {
  // No manifest store (or none c2pa-rs can read): say so instead of failing.
  console.log(JSON.stringify({ manifest: null, error: String(error?.message ?? error), failures: [], informational: [], success: [] }));
  process.exit(0);
}
const store = JSON.parse(reader.json());
const codes = (list) => (list ?? []).map((s) => s.code);
const results = store.validation_results?.activeManifest ?? {};
console.log(JSON.stringify({
  manifest: store.manifests?.[store.active_manifest] ?? null,
  validationState: store.validation_state ?? null,
  failures: [...new Set([...codes(results.failure), ...codes(store.validation_status)])],
  informational: codes(results.informational),
  success: codes(results.success),
  raw: { validation_status: store.validation_status ?? null, validation_results: store.validation_results ?? null },
}));
