namespace Loom.Cli.Commands;

/// <summary>
/// A documented number that a quickstart model can be held against: the model's summary row, where it is written, the
/// numbers quoted from there, and the training options of the documented run, which the quickstart's own training step
/// must have for the quote to apply.
/// </summary>
internal sealed record QuickstartPeer(
    string Model, string Source, string Quote, string? More, IReadOnlyList<(string Option, string Value)> DocumentedOptions)
{
    /// <summary>Whether a training step with these <c>loom</c> arguments ran the documented configuration.</summary>
    public bool AppliesTo(IReadOnlyList<string> trainingArgs) =>
        DocumentedOptions.All(o => ValueOf(trainingArgs, o.Option) == o.Value);

    /// <summary>The value after <paramref name="option"/> in <paramref name="args"/>, or null when it is absent.</summary>
    public static string? ValueOf(IReadOnlyList<string> args, string option)
    {
        for (int i = 0; i + 1 < args.Count; i++)
            if (args[i] == option)
                return args[i + 1];
        return null;
    }
}

/// <summary>
/// Every peer or bar the quickstart summary cites. Only numbers written in docs/benchmarks.md for the configuration the
/// quickstart trains belong here; a model without an entry, or whose run differs, shows "—". Left out on purpose: the
/// GMM bench (100k×8 points, not 8 gaussians), the 2-D diffusion bench (3,000 and 10,000 steps, its own MMD² ratio),
/// the CVAE rows (6,000 steps, seed 1); nothing is documented for HMC on the banana or for the quickstart's small U-Net.
/// </summary>
internal static class QuickstartPeers
{
    public static IReadOnlyList<QuickstartPeer> All { get; } =
    [
        new("ngram", "docs/benchmarks.md (n-gram)",
            "the same command gives 2.260 bits/char on the last 10%",
            "a unigram model scores 4.7–4.9 bits/char",
            [("--data", "tinyshakespeare"), ("--order", "5")]),
        new("gpt", "docs/benchmarks.md (character transformer)",
            "nanoGPT's shakespeare-char CPU run reports val loss 1.88 (a 20-batch estimate; the bar)",
            "Loom, exact loss over the split: 1.8813 (seed 0), 1.8954 (seed 1), 1.9018 (seed 1337)",
            [("--data", "tinyshakespeare"), ("--preset", "shakespeare-char-cpu"), ("--steps", "2000")]),
    ];
}
