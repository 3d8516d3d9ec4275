using Loom.Core;

namespace Loom.Evaluation.Audit;

/// <summary>What <see cref="ModelAudit"/> measures against and how much it samples.</summary>
public sealed class AuditOptions
{
    /// <summary>The real data to compare with, as <c>loom eval</c> takes it (fashion-mnist, a toy set, a CSV, a text file).</summary>
    public string Data { get; init; } = "";
    /// <summary>Samples to draw from the model (text models: texts).</summary>
    public int Samples { get; init; } = 500;
    public long Seed { get; init; }
    /// <summary>Word n-gram length counted as a verbatim copy of the training text.</summary>
    public int CopyNGram { get; init; } = 8;
    /// <summary>Word lists for the text representation audit; null uses <see cref="AttributeWordLists.Default"/>.</summary>
    public AttributeWordLists? WordLists { get; init; }
    /// <summary>Words per co-occurrence window in the text representation audit.</summary>
    public int WindowWords { get; init; } = 20;

    public AuditOptions Clone() => (AuditOptions)MemberwiseClone();

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Data)) throw LoomUsageException.ForOption(nameof(Data), "the audit needs real data to compare with");
        if (Samples < 2) throw LoomUsageException.ForOption(nameof(Samples), $"must be at least 2, got {Samples}");
        if (CopyNGram < 2) throw LoomUsageException.ForOption(nameof(CopyNGram), $"must be at least 2, got {CopyNGram}");
        if (WindowWords < 2) throw LoomUsageException.ForOption(nameof(WindowWords), $"must be at least 2, got {WindowWords}");
    }
}
