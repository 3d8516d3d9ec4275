using Loom.Text.Templates;
using Microsoft.Extensions.AI;

namespace Loom.AI;

/// <summary>
/// A conversation rendered with a model's own chat template (tokenizer_config.json's <c>chat_template</c>), with the
/// generation prompt added, so the reply starts where the model was trained to answer. The template's special tokens
/// stay text in the prompt and become their ids when the tokenizer encodes it; replies end at the model's end tokens.
/// </summary>
public sealed class TemplateChatPromptFormat(ChatTemplate template) : IChatPromptFormat
{
    public ChatTemplate Template { get; } = template;

    public IReadOnlyList<string> StopSequences { get; } = [];

    public string Format(IReadOnlyList<ChatMessage> messages) =>
        Template.Render(messages.Select(m => new ChatTemplateMessage(m.Role.Value, m.Text)), addGenerationPrompt: true);
}
