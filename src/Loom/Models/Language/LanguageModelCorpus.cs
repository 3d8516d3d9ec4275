using Loom.Core;
using Loom.Text.Tokenizers;

namespace Loom.Models.Language;

/// <summary>
/// A run's text as the trainer sees it: the tokenizer (trained on the text, or the one a resumed run saved) and the tokens.
/// </summary>
public static class LanguageModelCorpus
{
    /// <summary>Trains the tokenizer <paramref name="spec"/> names on <paramref name="text"/>; errors name <c>tokenizer</c>.</summary>
    public static ITokenizer CreateTokenizer(string spec, string text)
    {
        try
        {
            // Samples start from the newline token, so a one-line text still gives the tokenizer one.
            return TokenizerFactory.Create(spec, text.Contains('\n') ? text : text + "\n");
        }
        catch (LoomUsageException e) when (e.Option is null)
        {
            throw LoomUsageException.ForOption("Tokenizer", e.Message, e);
        }
    }

    /// <summary>The tokenizer a run saved in <paramref name="folder"/> (tokenizer.json), for resuming it.</summary>
    public static ITokenizer ReadTokenizer(string folder, string kind)
    {
        if (!File.Exists(Path.Combine(folder, "tokenizer.json")))
            throw LoomUsageException.ForOption("Resume", $"{folder} has no tokenizer.json; it was not written by loom train {kind}");
        return TokenizerFiles.Load(folder);
    }

    /// <summary>Tokenizes the text as a stream or as framed lines; returns the data and the start/delimiter token.</summary>
    public static (LanguageModelData Data, int Delimiter) Prepare(string text, ITokenizer tokenizer, bool lines, long seed)
    {
        var newline = tokenizer.Encode("\n");
        int delimiter = newline.Length == 1 ? newline[0] : tokenizer.EosId ?? tokenizer.BosId
            ?? throw new LoomDataException(
                "the tokenizer has no single token for a newline and no end-of-text token to start samples from");
        if (!lines)
            return (LanguageModelData.FromStream(tokenizer.Encode(text)), delimiter);
        var rows = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).Select(l => tokenizer.Encode(l)).ToList();
        return (LanguageModelData.FromLines(rows, delimiter, seed), delimiter);
    }
}
