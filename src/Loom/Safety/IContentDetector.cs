namespace Loom.Safety;

/// <summary>Finds one kind of content in a generated text. Implementations are stateless after construction and thread-safe.</summary>
public interface IContentDetector
{
    /// <summary>A short name for reports, e.g. <c>payment-card</c>.</summary>
    string Name { get; }

    /// <summary>Every finding in <paramref name="text"/>; an empty list when there is none.</summary>
    IReadOnlyList<ContentFlag> Detect(string text);
}
