using Microsoft.Extensions.AI;

namespace Loom.AI;

/// <summary>Turns a conversation into the prompt text a model continues (a chat template, or Loom's plain format).</summary>
public interface IChatPromptFormat
{
    /// <summary>The prompt for <paramref name="messages"/>, ending where the assistant's reply begins.</summary>
    string Format(IReadOnlyList<ChatMessage> messages);

    /// <summary>Text that ends a reply in this format besides the model's end tokens (none when the template has its own).</summary>
    IReadOnlyList<string> StopSequences { get; }
}
