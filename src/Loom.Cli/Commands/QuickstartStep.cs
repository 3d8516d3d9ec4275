namespace Loom.Cli.Commands;

/// <summary>
/// One command of <c>loom quickstart</c>: what it is called, the model it serves (the output folder whose summary row its
/// wall time counts towards: <c>gmm</c>, <c>ngram</c>, <c>gpt</c>, <c>mcmc</c>, …) and the <c>loom</c> arguments it runs.
/// </summary>
internal sealed record QuickstartStep(string Title, string Model, string[] Args)
{
    /// <summary>The <c>loom</c> command it runs (train, sample, eval, inpaint, interpolate, mcmc).</summary>
    public string Command => Args[0];
}

/// <summary>A quickstart step that finished, and how long it took (wall clock, including loading and saving).</summary>
internal sealed record TimedStep(QuickstartStep Step, TimeSpan Wall);
