using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;

namespace Loom.Text.Templates;

/// <summary>
/// An HF chat template (<c>chat_template</c> of tokenizer_config.json, or <c>chat_template.jinja</c> beside it) with
/// the config's <c>bos_token</c> and <c>eos_token</c>: renders a conversation into the prompt text the model was trained
/// on, as transformers (and <c>@huggingface/jinja</c>) render it.
/// </summary>
public sealed class ChatTemplate
{
    /// <summary>The file name of tokenizer configs.</summary>
    public const string ConfigFile = "tokenizer_config.json";

    /// <summary>The file name of a separate template (it wins over the config's <c>chat_template</c>).</summary>
    public const string TemplateFile = "chat_template.jinja";

    private readonly JinjaTemplate template;

    /// <summary>
    /// A template from its text and special tokens (null tokens are absent from the context); errors in it name
    /// <paramref name="origin"/> (the file it came from) when given.
    /// </summary>
    public ChatTemplate(string source, string? bosToken = null, string? eosToken = null, string? origin = null)
    {
        Source = source;
        BosToken = bosToken;
        EosToken = eosToken;
        Origin = origin;
        template = Named(() => JinjaTemplate.Parse(source));
    }

    /// <summary>The file the template came from, or null.</summary>
    public string? Origin { get; }

    /// <summary>The Jinja text of the template.</summary>
    public string Source { get; }

    /// <summary>The config's <c>bos_token</c>, or null.</summary>
    public string? BosToken { get; }

    /// <summary>The config's <c>eos_token</c>, or null.</summary>
    public string? EosToken { get; }

    /// <summary>
    /// Loads the template of an HF folder (its tokenizer_config.json and chat_template.jinja) or of a
    /// tokenizer_config.json path; a LoomDataException when there is none or the file cannot be read.
    /// </summary>
    public static ChatTemplate Load(string path) =>
        TryLoad(path) ?? throw new LoomDataException($"{path}: no chat_template (in {ConfigFile} or {TemplateFile})");

    /// <summary>Like <see cref="Load"/>, but null when the folder or config has no chat template.</summary>
    public static ChatTemplate? TryLoad(string path)
    {
        string folder, configPath;
        if (Directory.Exists(path))
        {
            folder = path;
            configPath = Path.Combine(path, ConfigFile);
        }
        else if (File.Exists(path))
        {
            folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            configPath = path;
        }
        else throw new LoomDataException($"{path}: no such file or folder");
        var config = File.Exists(configPath) ? ReadConfig(configPath) : new JsonObject();
        string jinjaPath = Path.Combine(folder, TemplateFile);
        // A folder's chat_template.jinja wins (as in transformers); beside a named config it is the fallback.
        bool useJinja = File.Exists(jinjaPath) && (Directory.Exists(path) || TemplateOf(config, configPath) is null);
        string? source = useJinja ? File.ReadAllText(jinjaPath) : TemplateOf(config, configPath);
        if (source is null) return null;
        string origin = useJinja ? jinjaPath : configPath;
        return new ChatTemplate(source, TokenText(config["bos_token"]), TokenText(config["eos_token"]), origin);
    }

    private static JsonObject ReadConfig(string path)
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(path)) as JsonObject
                ?? throw new LoomDataException($"{path}: not a JSON object");
        }
        catch (JsonException e)
        {
            throw new LoomDataException($"{path}: not valid JSON ({e.Message})", e);
        }
    }

    /// <summary><c>chat_template</c> as a string, or from a list of {name, template} the entry named "default".</summary>
    private static string? TemplateOf(JsonObject config, string path) => config["chat_template"] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonArray list => list.OfType<JsonObject>().FirstOrDefault(e => e["name"]?.ToString() == "default")?["template"]
            ?.GetValue<string>() ?? throw new LoomDataException($"{path}: chat_template has no entry named \"default\""),
        _ => throw new LoomDataException($"{path}: chat_template is neither a string nor a list of named templates"),
    };

    /// <summary>A special token written as a string or as an object with "content".</summary>
    private static string? TokenText(JsonNode? token) => token switch
    {
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonObject o => o["content"]?.GetValue<string>(),
        _ => null,
    };

    /// <summary>
    /// The variables the template sees: <c>messages</c>, <c>add_generation_prompt</c>, <c>bos_token</c>,
    /// <c>eos_token</c>, <c>tools</c> (only when given) and <paramref name="extra"/> (e.g. <c>enable_thinking</c>).
    /// </summary>
    public JsonObject Context(IEnumerable<ChatTemplateMessage> messages, bool addGenerationPrompt, JsonArray? tools = null,
        JsonObject? extra = null)
    {
        var context = new JsonObject
        {
            ["messages"] = new JsonArray(messages.Select(m => (JsonNode)m.ToJson()).ToArray()),
            ["add_generation_prompt"] = addGenerationPrompt,
        };
        if (BosToken is not null) context["bos_token"] = BosToken;
        if (EosToken is not null) context["eos_token"] = EosToken;
        if (tools is not null) context["tools"] = tools.DeepClone();
        if (extra is not null)
            foreach (var (key, value) in extra) context[key] = value?.DeepClone();
        return context;
    }

    /// <summary>Renders the prompt of <paramref name="messages"/>.</summary>
    public string Render(IEnumerable<ChatTemplateMessage> messages, bool addGenerationPrompt, JsonArray? tools = null,
        JsonObject? extra = null) => Render(Context(messages, addGenerationPrompt, tools, extra));

    /// <summary>Renders with a context built by the caller (any variables the template reads).</summary>
    public string Render(JsonObject context) => Named(() => template.Render(context));

    private T Named<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (LoomDataException e) when (Origin is not null)
        {
            throw new LoomDataException($"{Origin}: {e.Message}", e);
        }
    }
}
