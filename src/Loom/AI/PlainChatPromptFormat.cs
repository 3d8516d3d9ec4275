using Microsoft.Extensions.AI;

namespace Loom.AI;

/// <summary>
/// The conversation as <c>loom chat</c> writes it for a model without a chat template (a Loom-trained text model):
/// system text first, then each user line followed by a newline and each assistant reply followed by a blank line; a
/// reply ends at a blank line.
/// </summary>
public sealed class PlainChatPromptFormat : IChatPromptFormat
{
    public IReadOnlyList<string> StopSequences { get; } = ["\n\n"];

    public string Format(IReadOnlyList<ChatMessage> messages)
    {
        var text = new System.Text.StringBuilder();
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.System)
                text.Append(message.Text);
            else if (message.Role == ChatRole.Assistant)
                text.Append(message.Text).Append("\n\n");
            else
                text.Append(message.Text).Append('\n');
        }
        return text.ToString();
    }
}
