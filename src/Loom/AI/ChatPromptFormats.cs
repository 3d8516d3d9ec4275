namespace Loom.AI;

/// <summary>The prompt format a model folder asks for: its chat template when it has one, else Loom's plain format.</summary>
public static class ChatPromptFormats
{
    public static IChatPromptFormat For(string folder) => new PlainChatPromptFormat();
}
