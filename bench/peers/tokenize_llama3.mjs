// The peer of `Loom.Bench hf-tokenize`: encodes a text file with the Llama 3 tokenizer.json through @lenml/tokenizers
// (installed in tests/peers/node_modules by build/setup.sh --tests) and prints one JSON line: the encode times of each
// repeat in seconds, the id count and a checksum of the ids (the same one Loom computes).
// Usage: node bench/peers/tokenize_llama3.mjs TEXT_FILE REPEATS
import { readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const modules = join(root, "tests", "peers", "node_modules");
const { TokenizerLoader } = await import(pathToFileURL(join(modules, "@lenml", "tokenizers", "dist", "main.mjs")).href);
const models = join(modules, "@lenml", "tokenizer-llama3", "models");
const tokenizer = TokenizerLoader.fromPreTrained({
  tokenizerJSON: JSON.parse(readFileSync(join(models, "tokenizer.json"), "utf8")),
  tokenizerConfig: JSON.parse(readFileSync(join(models, "tokenizer_config.json"), "utf8")),
});
const text = readFileSync(process.argv[2], "utf8");
const repeats = Number(process.argv[3] ?? 3);
const times = [];
let ids = [];
for (let r = 0; r < repeats; r++) {
  const start = process.hrtime.bigint();
  ids = tokenizer.encode(text, { add_special_tokens: false });
  times.push(Number(process.hrtime.bigint() - start) / 1e9);
}
let checksum = 0;
for (const id of ids) checksum = (Math.imul(checksum, 31) + id) | 0;
console.log(JSON.stringify({ times, count: ids.length, checksum }));
