using Loom.Text.Decoding;
using Loom.Text.Tokenizers;

namespace Loom.Text.Generation;

/// <summary>
/// One prompt's bookkeeping while it decodes, shared by <see cref="TextGenerator"/> and the serving engine: generated
/// ids, streamed text (a UTF-8 character is never split), stop-sequence matching (text that may start a stop string is
/// held back) and the finish reason.
/// </summary>
internal sealed class GenerationRow(string prompt, int[] promptIds, GenerationSettings settings)
{
    private Utf8StreamDecoder? decoder;
    private readonly StopSequenceMatcher stops = new(settings.Stop);
    private readonly HashSet<int> eos = settings.EosTokenIds.ToHashSet();
    private readonly List<int> generated = [];
    private readonly System.Text.StringBuilder text = new();

    public string Prompt { get; } = prompt;
    public int[] PromptIds { get; } = promptIds;
    public List<GeneratedToken> Tokens { get; } = [];
    public int GeneratedCount => generated.Count;
    public bool Finished => Reason is not null;
    public string? Reason { get; private set; }
    /// <summary>What speculative decoding did for this row; null when it decoded without a draft.</summary>
    public SpeculationStats? Speculation { get; set; }

    public void Finish(string reason) => Reason ??= reason;

    /// <summary>Takes a chosen token; returns the piece to stream (empty text for EOS or while text is held back).</summary>
    public GeneratedToken Accept(int token, ITokenizer tokenizer)
    {
        generated.Add(token);
        if (eos.Contains(token))
        {
            Finish("eos");
            return new GeneratedToken(0, token, "", null, []);
        }
        decoder ??= new Utf8StreamDecoder(tokenizer);
        var piece = stops.Push(decoder.Push(token));
        text.Append(piece);
        if (stops.Stopped) Finish("stop");
        return new GeneratedToken(0, token, piece, null, []);
    }

    /// <summary>Text still held by the UTF-8 decoder or the stop matcher when the row ends without a stop.</summary>
    public string FlushText()
    {
        if (Reason == "stop") return "";
        var rest = stops.Push(decoder?.Flush() ?? "") + stops.Flush();
        text.Append(rest);
        return rest;
    }

    public GenerationOutput ToOutput() => new(Prompt, text.ToString(), generated, Reason ?? "length", Tokens, Speculation);

    /// <summary>
    /// Row <paramref name="row"/>'s top alternatives from a selection's flattened [rows, <paramref name="perRow"/>] ids and
    /// log-probabilities (none when <paramref name="ids"/> is null).
    /// </summary>
    public static IReadOnlyList<TokenAlternative> Alternatives(ITokenizer tokenizer, long[]? ids, double[]? logprobs, int row,
        int perRow)
    {
        if (ids is null || logprobs is null) return [];
        var alternatives = new TokenAlternative[perRow];
        for (int j = 0; j < perRow; j++)
        {
            int id = (int)ids[row * perRow + j];
            alternatives[j] = new TokenAlternative(id, tokenizer.Decode([id]), logprobs[row * perRow + j]);
        }
        return alternatives;
    }
}
