using Loom.Text.Templates;

namespace Loom.AI;

/// <summary>The prompt format a model folder asks for: its chat template when it has one, else Loom's plain format.</summary>
public static class ChatPromptFormats
{
    public static IChatPromptFormat For(string folder) =>
        Directory.Exists(folder) && ChatTemplate.TryLoad(folder) is { } template
            ? new TemplateChatPromptFormat(template)
            : new PlainChatPromptFormat();
}
