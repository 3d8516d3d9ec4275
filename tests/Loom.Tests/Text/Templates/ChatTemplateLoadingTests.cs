using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Tests.Support;
using Loom.Text.Templates;

namespace Loom.Tests.Text.Templates;

/// <summary>
/// Where <see cref="ChatTemplate"/> finds a template and its special tokens, what the template sees of a message, and
/// the one-line errors of unusable input.
/// </summary>
public class ChatTemplateLoadingTests
{
    private const string Echo = "{{ bos_token }}|{{ eos_token }}|{% for m in messages %}{{ m.role }}:{{ m.content }};{% endfor %}";

    [Fact]
    public void AStringTemplateAndStringTokens()
    {
        using var folder = new TempFolder();
        Write(folder, new JsonObject { ["chat_template"] = Echo, ["bos_token"] = "<s>", ["eos_token"] = "</s>" });
        var template = ChatTemplate.Load(folder.Path);
        Assert.Equal("<s>|</s>|user:hi;", template.Render([new("user", "hi")], addGenerationPrompt: false));
        Assert.Equal(folder.File(ChatTemplate.ConfigFile), template.Origin);
    }

    [Fact]
    public void ANamedListUsesDefaultAndTokenObjectsUseTheirContent()
    {
        using var folder = new TempFolder();
        Write(folder, JsonNode.Parse("""
            {"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "{{ bos_token }}D"}],
             "bos_token": {"content": "<bos>", "special": true}, "eos_token": null}
            """)!.AsObject());
        var template = ChatTemplate.Load(folder.File(ChatTemplate.ConfigFile));
        Assert.Equal("<bos>D", template.Render([], addGenerationPrompt: true));
        Assert.Null(template.EosToken);
    }

    [Fact]
    public void AFoldersJinjaFileWinsAndIsTheFallbackBesideANamedConfig()
    {
        using var folder = new TempFolder();
        Write(folder, new JsonObject { ["bos_token"] = "<s>" });
        File.WriteAllText(folder.File(ChatTemplate.TemplateFile), "{{ bos_token }}J\n");
        Assert.Equal("<s>J", ChatTemplate.Load(folder.Path).Render([], false));
        Assert.Equal("<s>J", ChatTemplate.Load(folder.File(ChatTemplate.ConfigFile)).Render([], false));
        Write(folder, new JsonObject { ["chat_template"] = "C" });
        Assert.Equal("J", ChatTemplate.Load(folder.Path).Render([], false));
        Assert.Equal("C", ChatTemplate.Load(folder.File(ChatTemplate.ConfigFile)).Render([], false));
    }

    [Fact]
    public void TryLoadIsNullWithoutATemplateAndLoadSaysWhy()
    {
        using var folder = new TempFolder();
        Assert.Null(ChatTemplate.TryLoad(folder.Path));
        Write(folder, new JsonObject { ["bos_token"] = "<s>" });
        Assert.Null(ChatTemplate.TryLoad(folder.Path));
        Assert.Contains("no chat_template", Assert.Throws<LoomDataException>(() => ChatTemplate.Load(folder.Path)).Message);
        Assert.Contains("no such file", Assert.Throws<LoomDataException>(() => ChatTemplate.TryLoad(folder.File("nope"))).Message);
        File.WriteAllText(folder.File(ChatTemplate.ConfigFile), "{ not json");
        Assert.Contains("not valid JSON", Assert.Throws<LoomDataException>(() => ChatTemplate.TryLoad(folder.Path)).Message);
    }

    [Fact]
    public void ErrorsNameTheFileLineAndColumn()
    {
        using var folder = new TempFolder();
        Write(folder, new JsonObject { ["chat_template"] = "ok\n{{ messages[0].content | nope }}" });
        var error = Assert.Throws<LoomDataException>(() => ChatTemplate.Load(folder.Path).Render([new("user", "x")], false));
        Assert.Equal($"{folder.File(ChatTemplate.ConfigFile)}: chat template line 2, column 26: unknown filter 'nope'", error.Message);
    }

    [Fact]
    public void AbsentMessageFieldsAreUndefinedNotNone()
    {
        var template = new ChatTemplate(
            "{% for m in messages %}{{ m.tool_calls is defined }},{{ m.name is defined }},{{ m.content is none }};{% endfor %}");
        var calls = JsonNode.Parse("""[{"function": {"name": "f", "arguments": {}}}]""");
        Assert.Equal("false,false,false;true,true,false;",
            template.Render([new("user", "a"), new("assistant", "b", ToolCalls: calls, Name: "bot")], false));
    }

    [Fact]
    public void ContextHoldsToolsOnlyWhenGivenAndExtraVariables()
    {
        var template = new ChatTemplate(
            "{{ tools is defined }}{{ tools | length if tools is defined }}{{ flag }}{{ add_generation_prompt }}", "<s>");
        Assert.Equal("falsefalse", template.Render([], false));
        Assert.Equal("true1yestrue", template.Render([], true, new JsonArray(new JsonObject()), new JsonObject { ["flag"] = "yes" }));
        Assert.False(template.Context([], false).ContainsKey("eos_token"));
    }

    private static void Write(TempFolder folder, JsonObject config) =>
        File.WriteAllText(folder.File(ChatTemplate.ConfigFile), config.ToJsonString());
}
