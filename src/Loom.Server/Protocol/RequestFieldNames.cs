using System.Text;

namespace Loom.Server.Protocol;

/// <summary>
/// The request field a library option corresponds to, so a library error about an option (<c>MaxNewTokens</c>) reaches an
/// OpenAI client naming the field it sent (<c>max_tokens</c>): the few names that differ, else the option in snake_case.
/// </summary>
public static class RequestFieldNames
{
    private static readonly Dictionary<string, string> Renamed = new(StringComparer.Ordinal)
    {
        ["MaxNewTokens"] = "max_tokens", ["PromptIds"] = "prompt", ["Logprobs"] = "top_logprobs", ["NumBeams"] = "n",
        ["EosTokenIds"] = "stop",
    };

    public static string For(string option)
    {
        if (Renamed.TryGetValue(option, out var field)) return field;
        var snake = new StringBuilder(option.Length + 4);
        for (int i = 0; i < option.Length; i++)
        {
            if (char.IsUpper(option[i]) && i > 0) snake.Append('_');
            snake.Append(char.ToLowerInvariant(option[i]));
        }
        return snake.ToString();
    }
}
