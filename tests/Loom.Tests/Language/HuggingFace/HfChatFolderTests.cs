using Loom.AI;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Models.Language.HuggingFace;
using Loom.Tests.Support;
using Loom.Text.Templates;
using Microsoft.Extensions.AI;

namespace Loom.Tests.Language.HuggingFace;

/// <summary>
/// An HF folder with a real tokenizer and chat template (Qwen3's) through the library: the chat client renders the
/// conversation with the folder's template, encodes it with the folder's tokenizer, and import keeps both.
/// </summary>
public sealed class HfChatFolderTests
{
    private static readonly ChatMessage[] Conversation = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi, who are you?")];

    [Fact]
    public async Task The_chat_client_renders_with_the_folders_template_and_counts_its_tokens()
    {
        using var tmp = new TempFolder();
        TinyQwenFolder.Write(tmp.File("qwen"));
        using var model = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(tmp.File("qwen")));
        Assert.Equal("hf", model.Tokenizer.Kind);
        var format = Assert.IsType<TemplateChatPromptFormat>(ChatPromptFormats.For(tmp.File("qwen")));
        var prompt = format.Format(Conversation);
        var expected = ChatTemplate.Load(tmp.File("qwen")).Render(
            [new ChatTemplateMessage("system", "Be brief."), new ChatTemplateMessage("user", "Hi, who are you?")],
            addGenerationPrompt: true);
        Assert.Equal(expected, prompt);
        Assert.StartsWith("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi, who are you?<|im_end|>\n<|im_start|>assistant",
            prompt);
        var ids = model.Tokenizer.Encode(prompt);
        Assert.Equal(model.Tokenizer.SpecialTokens["<|im_start|>"], ids[0]);

        using var client = new LoomChatClient(model, "qwen", format);
        var response = await client.GetResponseAsync(Conversation, new ChatOptions { Temperature = 0, MaxOutputTokens = 5 });
        Assert.Equal(ids.Length, response.Usage!.InputTokenCount);
        Assert.InRange(response.Usage.OutputTokenCount!.Value, 1, 5);
        Assert.Contains(151645, model.EosTokenIds);
    }

    [Fact]
    public void Import_keeps_the_tokenizer_and_the_chat_template()
    {
        using var tmp = new TempFolder();
        TinyQwenFolder.Write(tmp.File("qwen"));
        HfFolderConversion.Import(tmp.File("qwen"), tmp.File("loom"));
        using var imported = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(tmp.File("loom")));
        using var original = Assert.IsType<NeuralLanguageModel>(Checkpoint.Load(tmp.File("qwen")));
        var text = "Héllo wörld 👨‍👩‍👧 <|im_start|>user\n123456";
        Assert.Equal(original.Tokenizer.Encode(text), imported.Tokenizer.Encode(text));
        Assert.Equal(original.EosTokenIds, imported.EosTokenIds);
        Assert.IsType<TemplateChatPromptFormat>(ChatPromptFormats.For(tmp.File("loom")));
    }
}
