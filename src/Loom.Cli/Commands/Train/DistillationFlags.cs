using System.CommandLine;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// The knowledge-distillation flags of <c>loom train gpt|llama|lstm|gru</c> (<c>--teacher</c>, <c>--distill-alpha</c>,
/// <c>--distill-temperature</c>), mapped onto the recipe's <c>teacher</c> and <c>distill_*</c> properties; the library
/// loads the teacher and checks them (Models.Language.Distillation).
/// </summary>
public sealed class DistillationFlags
{
    public Option<string?> Teacher { get; } = new("--teacher")
    {
        Description = "Distil this language-model checkpoint (same tokenizer): learn its next-token distributions as well as the data",
    };
    public Option<double?> Alpha { get; } = new("--distill-alpha")
    {
        Description = "Weight of the teacher's term α in α·T²·KL + (1−α)·cross-entropy (default 0.5)",
    };
    public Option<double?> Temperature { get; } = new("--distill-temperature")
    {
        Description = "Softmax temperature T of the teacher's term (default 2)",
    };

    public IEnumerable<Option> All => [Teacher, Alpha, Temperature];

    /// <summary>Adds the flags given on the command line to the recipe.</summary>
    public RecipeFlags AddTo(RecipeFlags flags) =>
        flags.Add("teacher", Teacher).Add("distill_alpha", Alpha).Add("distill_temperature", Temperature);
}
