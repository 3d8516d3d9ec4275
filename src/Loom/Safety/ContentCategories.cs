namespace Loom.Safety;

/// <summary>The categories Loom's built-in detectors report. User detectors may report their own.</summary>
public static class ContentCategories
{
    public const string Email = "pii.email";
    public const string Phone = "pii.phone";
    public const string PaymentCard = "pii.payment_card";
    public const string Iban = "pii.iban";
    public const string BlockedTerm = "blocked.term";
    public const string BlockedPattern = "blocked.pattern";
    public const string Memorization = "memorization";

    /// <summary>Every built-in category, in the order the docs list them.</summary>
    public static IReadOnlyList<string> All { get; } = [Email, Phone, PaymentCard, Iban, BlockedTerm, BlockedPattern, Memorization];
}
