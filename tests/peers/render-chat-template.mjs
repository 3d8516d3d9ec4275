// Renders a template with @huggingface/jinja, the reference Loom's chat templates are compared with.
// stdin: {"template": "...", "context": {...}}
// stdout: {"output": rendering} or {"error": message} when parsing or rendering threw (e.g. raise_exception).
import { Template } from "@huggingface/jinja";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { template, context } = JSON.parse(input);
let result;
try {
  result = { output: new Template(template).render(context) };
} catch (e) {
  result = { error: String(e.message) };
}
process.stdout.write(JSON.stringify(result));
