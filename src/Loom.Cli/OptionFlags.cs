using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using Loom.Core;

namespace Loom.Cli;

/// <summary>
/// Shows the library's errors about options under the flags the user typed. The library names an option as its options
/// record or recipe does (<c>LearningRate</c>, also inside the problem: "leave Beta at 1"; words in capitals, such as IWAE, are
/// never names); a command's flag for it is the
/// one a <see cref="Commands.Train.RecipeFlags"/> recorded, else an <see cref="Aliases">alias</see> or the kebab-case
/// name (<c>--learning-rate</c>) that the command has. A name with no flag on the command stays as the library wrote it.
/// </summary>
public sealed partial class OptionFlags(Command command)
{
    /// <summary>Library names whose flags are not their kebab-case names (a command uses the first it has).</summary>
    public static IReadOnlyDictionary<string, string[]> Aliases { get; } = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["LearningRate"] = ["--lr"], ["GeneratorLearningRate"] = ["--lr-g"], ["DiscriminatorLearningRate"] = ["--lr-d"],
        ["AdversaryLearningRate"] = ["--adversary-lr"], ["PriorLearningRate"] = ["--prior-lr"], ["MinLearningRate"] = ["--min-lr"],
        ["Count"] = ["--n", "--count"], ["OutputFolder"] = ["--out"], ["EmbeddingWidth"] = ["--embedding"],
        ["NumCodes"] = ["--codes"], ["HiddenChannels"] = ["--hidden"], ["ResidualBlocks"] = ["--res-blocks"],
        ["ResidualChannels"] = ["--res-channels"], ["ContextLength"] = ["--context"],
        ["WarmupSteps"] = ["--warmup"], ["EmaDecay"] = ["--ema", "--ema-decay"],
        ["CriticSteps"] = ["--n-critic"], ["GradientPenalty"] = ["--gp-weight"], ["ClassifierWeight"] = ["--aux-classifier"],
        ["DiscriminatorChannels"] = ["--disc-channels"], ["DiscriminatorLayers"] = ["--disc-layers"], ["DType"] = ["--dtype"],
        ["MinSnrGamma"] = ["--min-snr"], ["LeapfrogSteps"] = ["--leapfrog"], ["ValidationFraction"] = ["--val-fraction"],
        ["KPrecisionRecall"] = ["--k"], ["CopyNGram"] = ["--copy-ngram"], ["TrainSamples"] = ["--iwae"], ["Limit"] = ["--train-limit"],
        ["TrainingImages"] = ["--memorization-data"],
        ["Components"] = ["--components", "--prior-components"], ["Image"] = ["--image", "--images"],
        ["FromImage"] = ["--from"], ["ToImage"] = ["--to"],
        ["ModelsFolder"] = ["--models"], ["RateLimitPerMinute"] = ["--rate-limit"], ["MaxBatchSize"] = ["--max-batch"],
        ["QueueLimit"] = ["--queue-length"], ["MaxNewTokens"] = ["--max-tokens"], ["NumBeams"] = ["--beams"],
        ["Action"] = ["--moderation"], ["Actions"] = ["--moderation-action"], ["BlockedTerms"] = ["--block-list"],
        ["BlockedPatterns"] = ["--block-pattern"], ["MinScore"] = ["--moderation-min-score"],
        ["Parameters"] = ["--param"], ["CommonName"] = ["--name"], ["ValidDays"] = ["--days"],
        ["Key"] = ["--key", "--watermark-key"], ["Gamma"] = ["--gamma", "--watermark-gamma"],
        ["Delta"] = ["--delta", "--watermark-delta", "--dp-delta"],
        ["Seeding"] = ["--seeding", "--watermark-seeding"],
        ["NoiseMultiplier"] = ["--noise", "--dp-noise"], ["TargetEpsilon"] = ["--epsilon", "--dp-epsilon"],
        ["MaxGradNorm"] = ["--dp-clip"], ["Adapters"] = ["--adapter"], ["Drafts"] = ["--draft"],
    };

    private readonly Dictionary<string, string> recorded = new(StringComparer.Ordinal);

    /// <summary>Records the flag a command maps onto a recipe property (<paramref name="property"/> as in JSON: snake_case).</summary>
    public void Record(string property, string flag) => recorded[Training.Runs.RecipeJson.OptionName(property)] = flag;

    /// <summary>The command's flag for a library option name, or null when it has none.</summary>
    public string? FlagFor(string name)
    {
        if (recorded.TryGetValue(name, out var flag))
            return flag;
        var kebab = "--" + JsonNamingPolicy.KebabCaseLower.ConvertName(name);
        var candidates = Aliases.TryGetValue(name, out var aliases) ? aliases.Append(kebab) : [kebab];
        var flags = Flags();
        return candidates.FirstOrDefault(flags.Contains);
    }

    /// <summary>The error's message with option names shown as flags.</summary>
    public string Describe(LoomException error)
    {
        if (error.Option is not { } option || error.Problem is not { } problem)
            return error.Message;
        return $"{FlagFor(option) ?? option}: {DescribeText(problem)}";
    }

    /// <summary>A message of the library's (a warning, a note) with the option names it mentions shown as flags.</summary>
    public string DescribeText(string text) => PascalWord().Replace(text, m => FlagFor(m.Value) ?? m.Value);

    private HashSet<string> Flags()
    {
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
            foreach (var o in c.Options.Where(o => c == command || o.Recursive))
            {
                flags.Add(o.Name);
                flags.UnionWith(o.Aliases);
            }
        return flags;
    }

    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*\b")]
    private static partial Regex PascalWord();
}
