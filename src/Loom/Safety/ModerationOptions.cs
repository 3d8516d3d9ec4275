using Loom.Core;

namespace Loom.Safety;

/// <summary>
/// What the moderation stage looks for in generated text and what it does about it. The defaults flag personal data
/// (e-mail, phone, payment card, IBAN) and change nothing; a block list, patterns and a training text for the
/// memorization check are opt-in.
/// </summary>
public sealed class ModerationOptions
{
    /// <summary>Run the personal-data detectors (e-mail, phone number, payment card with Luhn, IBAN with mod 97).</summary>
    public bool DetectPersonalData { get; init; } = true;
    /// <summary>Words or phrases to find (case-insensitive, whole words).</summary>
    public IReadOnlyList<string> BlockedTerms { get; init; } = [];
    /// <summary>.NET regular expressions to find.</summary>
    public IReadOnlyList<string> BlockedPatterns { get; init; } = [];
    /// <summary>The text the model was trained on; when set, outputs that copy it verbatim are flagged.</summary>
    public string? TrainingText { get; init; }
    /// <summary>How reports name <see cref="TrainingText"/> (e.g. its file name).</summary>
    public string TrainingTextSource { get; init; } = "training text";
    /// <summary>Shortest verbatim span, in words, that counts as memorization.</summary>
    public int MemorizationWords { get; init; } = 8;
    /// <summary>What happens to an output with a flag of any category not named in <see cref="Actions"/>.</summary>
    public ModerationAction Action { get; init; } = ModerationAction.Flag;
    /// <summary>Per-category actions (e.g. <c>pii.payment_card</c> → Block) that override <see cref="Action"/>.</summary>
    public IReadOnlyDictionary<string, ModerationAction> Actions { get; init; } = new Dictionary<string, ModerationAction>();
    /// <summary>Flags scoring below this are reported but never redact or block.</summary>
    public double MinScore { get; init; } = 0.5;

    /// <summary>A copy whose collections can be changed without touching this one.</summary>
    public ModerationOptions Clone() => new()
    {
        DetectPersonalData = DetectPersonalData,
        TrainingText = TrainingText,
        TrainingTextSource = TrainingTextSource,
        MemorizationWords = MemorizationWords,
        Action = Action,
        MinScore = MinScore,
        BlockedTerms = BlockedTerms.ToList(),
        BlockedPatterns = BlockedPatterns.ToList(),
        Actions = new Dictionary<string, ModerationAction>(Actions),
    };

    /// <summary>The action for flags of <paramref name="category"/>.</summary>
    public ModerationAction ActionFor(string category) => Actions.TryGetValue(category, out var action) ? action : Action;

    public void Validate()
    {
        if (!(MinScore >= 0 && MinScore <= 1))
            throw LoomUsageException.ForOption(nameof(MinScore), $"must be in [0, 1], got {MinScore}");
        if (MemorizationWords < 2)
            throw LoomUsageException.ForOption(nameof(MemorizationWords), $"must be at least 2, got {MemorizationWords}");
        if (!Enum.IsDefined(Action))
            throw LoomUsageException.ForOption(nameof(Action), $"unknown action {(int)Action}");
        foreach (var (category, action) in Actions)
        {
            if (string.IsNullOrWhiteSpace(category))
                throw LoomUsageException.ForOption(nameof(Actions), "a category name is empty");
            if (!Enum.IsDefined(action))
                throw LoomUsageException.ForOption(nameof(Actions), $"unknown action {(int)action} for '{category}'");
        }
    }
}
