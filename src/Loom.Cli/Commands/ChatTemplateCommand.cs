using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Text.Templates;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom chat-template HF_DIR|TOKENIZER_CONFIG --messages FILE.json [--add-generation-prompt]</c>: prints the prompt
/// a chat template renders for a conversation, exactly (nothing is added after it, not even a newline). The messages
/// file is a JSON array of messages, or an object with <c>messages</c>, optional <c>tools</c> and any other variables
/// the template reads (e.g. <c>enable_thinking</c>).
/// </summary>
public static class ChatTemplateCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("template")
        {
            Description = "An HF model folder (tokenizer_config.json, chat_template.jinja) or a tokenizer_config.json",
        };
        var messages = new Option<string>("--messages")
        {
            Description = "JSON file: an array of {role, content} messages, or {messages, tools, ...variables}",
            Required = true,
        };
        var generationPrompt = new Option<bool>("--add-generation-prompt")
        {
            Description = "End with the header of the assistant's turn (add_generation_prompt)",
        };
        var command = new Command("chat-template", "Render a conversation with a model's chat template (exact prompt text)")
        {
            source, messages, generationPrompt,
        };
        command.SetAction(parse =>
        {
            var template = ChatTemplate.Load(parse.GetValue(source)!);
            var context = ReadContext(parse.GetValue(messages)!, template, parse.GetValue(generationPrompt));
            var output = parse.InvocationConfiguration.Output;
            output.Write(template.Render(context));
            output.Flush();
            return 0;
        });
        return command;
    }

    private static JsonObject ReadContext(string path, ChatTemplate template, bool addGenerationPrompt)
    {
        if (!File.Exists(path)) throw new LoomDataException($"{path}: no such file");
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new LoomDataException($"{path}: not valid JSON ({e.Message.Split('\n')[0]})", e);
        }
        var (list, variables) = json switch
        {
            JsonArray array => (array, new JsonObject()),
            JsonObject o when o["messages"] is JsonArray array => (array, o),
            _ => throw new LoomDataException($"{path}: expected an array of messages or an object with \"messages\": [...]"),
        };
        var extra = new JsonObject(variables.Where(p => p.Key is not "messages" and not "tools")
            .Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));
        var tools = variables["tools"] switch
        {
            null => null,
            JsonArray t => t,
            _ => throw new LoomDataException($"{path}: \"tools\" must be an array of function schemas"),
        };
        var context = template.Context([], addGenerationPrompt, tools, extra);
        context["messages"] = list.DeepClone();
        return context;
    }
}
