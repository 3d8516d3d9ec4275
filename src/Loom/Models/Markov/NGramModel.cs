using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Models.Markov;

/// <summary>
/// An n-gram Markov chain over characters or words with interpolated Kneser-Ney or add-k smoothing.
/// Scoring reads a UTF-8 text file and reports NLL in nats per token (unit "char" or "word"); tokens never seen in
/// training count as &lt;unk&gt;. Sampling continues the prompt (or the begin of text) one token at a time.
/// </summary>
public sealed class NGramModel : IGenerativeModel, ILikelihoodModel
{
    public const string KindName = "ngram";

    internal NGramModel(NGramOptions options, NGramVocabulary vocabulary, NGramCounts counts, long trainingTokens)
    {
        Options = options;
        Vocabulary = vocabulary;
        Counts = counts;
        TrainingTokens = trainingTokens;
    }

    public string Kind => KindName;
    public NGramOptions Options { get; }
    public NGramVocabulary Vocabulary { get; }
    public NGramCounts Counts { get; }
    public long TrainingTokens { get; }
    private string Unit => Options.Level == TokenLevel.Char ? "char" : "word";

    /// <summary>
    /// Counts the n-grams of <paramref name="text"/>, reporting the tokens counted; cancelling stops the count with
    /// <see cref="OperationCanceledException"/> (a partial count is no model).
    /// </summary>
    public static NGramModel Fit(string text, NGramOptions options, IProgress<NGramFitProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        options.Validate();
        // Two streaming passes (distinct tokens, then ids) instead of a list of every token: a token string per
        // character of a 200 MB text was most of a 9.6 GB peak.
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        long count = 0;
        foreach (var token in NGramVocabulary.Split(text, options.Level))
        {
            distinct.Add(token);
            if (++count % (1 << 20) == 0) cancellation.ThrowIfCancellationRequested();
        }
        if (count == 0)
            throw new LoomDataException("the training text has no tokens");
        if (count < options.Order)
            throw new LoomDataException($"the training text has {count} tokens, fewer than the order {options.Order}");
        if (count > Array.MaxLength - options.Order)
            throw new LoomDataException(
                $"the training text has {count:N0} tokens; an n-gram fit takes at most {Array.MaxLength - options.Order:N0}");
        var vocabulary = NGramVocabulary.Build(distinct, options.Level);
        var padded = new char[options.Order - 1 + count]; // token ids (< 65,000) as chars after n-1 begin tokens (id 0)
        int at = options.Order - 1;
        foreach (var token in NGramVocabulary.Split(text, options.Level))
            padded[at++] = (char)vocabulary.Id(token);
        cancellation.ThrowIfCancellationRequested();
        var counts = NGramCounts.FromPadded(padded, options, vocabulary.Size, progress, cancellation);
        return new NGramModel(options, vocabulary, counts, count);
    }

    /// <summary>Natural-log probability of <paramref name="token"/> after <paramref name="history"/> (any length; the last n-1 tokens
    /// count).</summary>
    public double LogProb(IReadOnlyList<string> history, string token)
    {
        var context = Context(history.Select(Vocabulary.Id).ToArray());
        return Math.Log(Counts.Probability(context, Vocabulary.Id(token)));
    }

    /// <summary>Total NLL (nats) of a token sequence, each token conditioned on the begin padding and its predecessors.</summary>
    public double NegativeLogLikelihood(IReadOnlyList<int> ids, CancellationToken cancellation = default)
    {
        int n = Options.Order;
        var padded = new int[n - 1 + ids.Count];
        for (int i = 0; i < ids.Count; i++) padded[n - 1 + i] = ids[i];
        double nll = 0;
        for (int i = n - 1; i < padded.Length; i++)
        {
            if ((i & 0xFFFF) == 0) cancellation.ThrowIfCancellationRequested();
            nll -= Math.Log(Counts.Probability(padded.AsSpan(i - n + 1, n - 1), padded[i]));
        }
        return nll;
    }

    public ScoreReport Score(string dataPath, CancellationToken cancellation = default) =>
        ScoreContent(TextFile.Read(dataPath), dataPath, cancellation);

    public ScoreReport ScoreContent(string data, string source = "data", CancellationToken cancellation = default)
    {
        var ids = Vocabulary.Encode(data);
        if (ids.Length == 0)
            throw new LoomDataException($"{source}: no tokens to score");
        double unknown = ids.Count(i => i == NGramVocabulary.Unk);
        return new ScoreReport(NegativeLogLikelihood(ids, cancellation), ids.Length, Unit,
            new Dictionary<string, double> { ["unknown_tokens"] = unknown });
    }

    public SampleSet Sample(SampleRequest request)
    {
        var random = Seeding.DotnetRandom(request.Seed, "ngram-sample");
        var prompt = request.Prompt is null ? [] : Vocabulary.Encode(request.Prompt);
        var texts = new List<string>(request.Count);
        for (int s = 0; s < request.Count; s++)
        {
            var history = new List<int>(prompt);
            for (int t = 0; t < request.Length; t++)
            {
                var p = Counts.Distribution(Context(history));
                history.Add(Draw(p, request.Temperature, random));
            }
            texts.Add((request.Prompt ?? "") + (Options.Level == TokenLevel.Word && prompt.Length > 0 ? " " : "")
                + Vocabulary.Decode(history.Skip(prompt.Length)));
        }
        return new TextSamples(texts);
    }

    public JsonObject GetConfig() => new()
    {
        ["order"] = Options.Order,
        ["level"] = Options.Level.ToString().ToLowerInvariant(),
        ["smoothing"] = Options.Smoothing == NGramSmoothing.KneserNey ? "kneser-ney" : "add-k",
        ["k"] = Options.K,
        ["discount"] = Options.Discount,
        ["vocabulary_size"] = Vocabulary.Size,
        ["training_tokens"] = TrainingTokens,
    };

    /// <summary>The vocabulary (code points + offsets) and the highest-order counts; lower orders are derived on load.</summary>
    public IReadOnlyDictionary<string, Tensor> GetState() => NGramState.ToTensors(this);

    public void Dispose() { }

    private int[] Context(IReadOnlyList<int> history)
    {
        int n = Options.Order;
        var context = new int[n - 1];
        for (int i = 0; i < n - 1; i++)
        {
            int j = history.Count - (n - 1) + i;
            context[i] = j >= 0 ? history[j] : NGramVocabulary.Bos;
        }
        return context;
    }

    private static int Draw(double[] p, double temperature, Random random)
    {
        double total = 0;
        var weights = new double[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            weights[i] = p[i] <= 0 ? 0 : (temperature == 1 ? p[i] : Math.Exp(Math.Log(p[i]) / temperature));
            total += weights[i];
        }
        double u = random.NextDouble() * total;
        for (int i = 0; i < weights.Length; i++)
        {
            u -= weights[i];
            if (u < 0 && weights[i] > 0) return i;
        }
        return Array.FindLastIndex(weights, w => w > 0);
    }
}
