// Renders a chat template with @huggingface/jinja (the reference the C# renderer is compared with).
// stdin: {"template": "...", "context": {...}}; stdout: the rendering, or {"error": message} with --json-errors.
import { Template } from "@huggingface/jinja";

let input = "";
for await (const chunk of process.stdin) input += chunk;
const { template, context } = JSON.parse(input);
try {
  process.stdout.write(new Template(template).render(context));
} catch (e) {
  if (!process.argv.includes("--json-errors")) throw e;
  process.stdout.write(JSON.stringify({ error: String(e.message) }));
}
