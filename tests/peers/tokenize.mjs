// Loom's conformance peer: encodes and decodes with @lenml/tokenizers (a port of transformers.js that reproduces
// HF tokenizers' ids). Reads {"tokenizer": path, "config": path|null, "texts": [...], "decode": [[ids]...],
// "dropSpecial": bool} on stdin; writes {"plain": [[ids]], "special": [[ids]], "decoded": [text], "decodedSkip": [text]}
// on stdout: "plain" without the post-processor (add_special_tokens false), "special" with it. dropSpecial removes the
// special added tokens first, so their text is encoded as ordinary text (what Loom's allowSpecial: false does).
import { readFileSync } from "node:fs";
import { TokenizerLoader } from "@lenml/tokenizers";

const request = JSON.parse(readFileSync(0, "utf8"));
const tokenizerJSON = JSON.parse(readFileSync(request.tokenizer, "utf8"));
if (request.dropSpecial)
  tokenizerJSON.added_tokens = (tokenizerJSON.added_tokens ?? []).filter(t => !t.special);
const tokenizerConfig = request.config ? JSON.parse(readFileSync(request.config, "utf8")) : {};
const tokenizer = TokenizerLoader.fromPreTrained({ tokenizerJSON, tokenizerConfig });
const texts = request.texts ?? [];
const out = {
  plain: texts.map(t => Array.from(tokenizer.encode(t, { add_special_tokens: false }))),
  special: texts.map(t => Array.from(tokenizer.encode(t, { add_special_tokens: true }))),
};
const toDecode = request.decode ?? out.plain;
const decode = (ids, skip) =>
  ids.length === 0 ? "" : tokenizer.decode(ids, { skip_special_tokens: skip, clean_up_tokenization_spaces: false });
out.decoded = toDecode.map(ids => decode(ids, false));
out.decodedSkip = toDecode.map(ids => decode(ids, true));
process.stdout.write(JSON.stringify(out));
