namespace Loom.Provenance;

/// <summary>A claim's link to an assertion: its JUMBF URI and the SHA-256 of the assertion's superbox payload.</summary>
internal sealed record HashedUri(string Url, byte[] Hash)
{
    /// <summary>The relative URI C2PA uses for an assertion of this manifest.</summary>
    public static string ForAssertion(string label) => $"self#jumbf={ClaimWriter.AssertionStoreLabel}/{label}";

    /// <summary>The assertion label the URI points at (the part after the last '/').</summary>
    public string AssertionLabel => Url[(Url.LastIndexOf('/') + 1)..];
}
