using Loom.Core;

namespace Loom.Models.Markov;

/// <summary>What a token is: a Unicode character or a whitespace-separated word (newlines are kept as tokens).</summary>
public enum TokenLevel
{
    Char,
    Word,
}

/// <summary>How unseen continuations get probability.</summary>
public enum NGramSmoothing
{
    /// <summary>Interpolated Kneser-Ney with absolute discount D, down to a uniform distribution.</summary>
    KneserNey,
    /// <summary>Add-k (Laplace for k=1) on the highest order only.</summary>
    AddK,
}

/// <summary>Options of an <see cref="NGramModel"/>.</summary>
public sealed record NGramOptions
{
    /// <summary>n: the model conditions on the previous n-1 tokens.</summary>
    public int Order { get; init; } = 5;
    public TokenLevel Level { get; init; } = TokenLevel.Char;
    public NGramSmoothing Smoothing { get; init; } = NGramSmoothing.KneserNey;
    /// <summary>k for add-k smoothing.</summary>
    public double K { get; init; } = 1.0;
    /// <summary>Absolute discount D for Kneser-Ney, in (0, 1).</summary>
    public double Discount { get; init; } = 0.75;

    public void Validate()
    {
        if (Order < 1 || Order > 12)
            throw LoomUsageException.ForOption(nameof(Order), $"must be between 1 and 12, got {Order}");
        if (Smoothing == NGramSmoothing.AddK && !(K > 0))
            throw LoomUsageException.ForOption(nameof(K), $"must be positive, got {K}");
        if (Smoothing == NGramSmoothing.KneserNey && !(Discount > 0 && Discount < 1))
            throw LoomUsageException.ForOption(nameof(Discount), $"must be in (0, 1), got {Discount}");
    }

    public static TokenLevel ParseLevel(string text) => text.Trim().ToLowerInvariant() switch
    {
        "char" or "character" => TokenLevel.Char,
        "word" => TokenLevel.Word,
        _ => throw LoomUsageException.ForOption(nameof(Level), $"'{text}' is not a token level; use char or word"),
    };

    public static NGramSmoothing ParseSmoothing(string text) => text.Trim().ToLowerInvariant() switch
    {
        "kn" or "kneser-ney" or "kneserney" => NGramSmoothing.KneserNey,
        "add-k" or "addk" or "laplace" => NGramSmoothing.AddK,
        _ => throw LoomUsageException.ForOption(nameof(Smoothing), $"'{text}' is not a smoothing; use kneser-ney or add-k"),
    };
}
