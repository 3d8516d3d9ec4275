using System.CommandLine;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// The DP-SGD flags a training command offers (<c>--dp-epsilon</c>, <c>--dp-noise</c>, <c>--dp-delta</c>, <c>--dp-clip</c>),
/// mapped onto the recipe's <c>dp_*</c> properties; the library checks them (Privacy.DpOptions).
/// </summary>
public sealed class DpTrainingFlags(string what)
{
    public Option<double?> Epsilon { get; } = new("--dp-epsilon")
    {
        Description = $"Train with DP-SGD ({what}) to this ε over the whole run; Poisson batches of --batch-size on average",
    };
    public Option<double?> Noise { get; } = new("--dp-noise") { Description = "DP-SGD with this noise multiplier σ instead of a target ε" };
    public Option<double?> Delta { get; } = new("--dp-delta") { Description = "δ of DP-SGD's (ε, δ) guarantee (default 1e-5)" };
    public Option<double?> Clip { get; } = new("--dp-clip") { Description = "DP-SGD's per-example gradient clipping norm (default 1)" };

    public IEnumerable<Option> All => [Epsilon, Noise, Delta, Clip];

    /// <summary>Adds the flags given on the command line to the recipe.</summary>
    public RecipeFlags AddTo(RecipeFlags flags) =>
        flags.Add("dp_epsilon", Epsilon).Add("dp_noise", Noise).Add("dp_delta", Delta).Add("dp_clip", Clip);
}
