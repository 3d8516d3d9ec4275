using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.Models;
using Loom.Models.Adapters;
using Loom.Text.Generation;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom sample --draft CKPT --draft-tokens K</c>: speculative decoding with a draft language model loaded on the same
/// device and dtype as the model. The library checks the pair (<see cref="SpeculativeDraft"/>) and the settings; this
/// reports the acceptance rate on stderr and in JSON output.
/// </summary>
public sealed class SpeculativeCliOptions
{
    public Option<string?> Draft { get; } = new("--draft")
    {
        Description = "Speculative decoding: a smaller language model with the same tokenizer that drafts tokens for this one to check",
    };
    public Option<int> DraftTokens { get; } = new("--draft-tokens")
    {
        Description = "Tokens the draft proposes per round (with --draft)", DefaultValueFactory = _ => 4,
    };

    public IEnumerable<Option> All => [Draft, DraftTokens];

    /// <summary>The draft checkpoint named by <c>--draft</c>, or null; the caller disposes it.</summary>
    public IGenerativeModel? Load(ParseResult parse, Option<string> device, Option<string> dtype, string kind)
    {
        if (parse.GetValue(Draft) is not { } folder)
            return null;
        if (parse.GetValue(DraftTokens) < 1)
            throw LoomUsageException.ForOption("DraftTokens", $"must be at least 1 (got {parse.GetValue(DraftTokens)})");
        var model = LoraAdapterFiles.LoadModel(folder, null, DeviceSelector.Parse(parse.GetValue(device)),
            ComputeDtype.Parse(parse.GetValue(dtype)));
        if (model.GetService<ITextGenerationModel>() is null)
        {
            model.Dispose();
            throw LoomUsageException.ForOption("Draft", $"{folder} holds a '{model.Kind}' model; a draft must be a language model "
                + $"like the '{kind}' it drafts for");
        }
        return model;
    }

    /// <summary>The draft of a loaded draft model, proposing <c>--draft-tokens</c> tokens per round.</summary>
    public SpeculativeDraft? For(ParseResult parse, IGenerativeModel? draftModel)
    {
        if (draftModel?.GetService<ITextGenerationModel>() is not { } text)
            return null;
        var generator = text.CreateGenerator();
        return new SpeculativeDraft(generator.Model, parse.GetValue(DraftTokens), generator.Tokenizer);
    }

    /// <summary>"speculative decoding: 71.3% of 400 drafted tokens accepted, 3.85 tokens per target pass" over all outputs.</summary>
    public static string? Summary(IReadOnlyList<GenerationOutput> outputs)
    {
        var stats = outputs.Select(o => o.Speculation).OfType<SpeculationStats>().ToList();
        if (stats.Count == 0) return null;
        var total = Total(stats);
        return string.Create(CultureInfo.InvariantCulture, $"speculative decoding: {total.AcceptanceRate:P1} of {total.Drafted:N0} drafted "
            + $"tokens accepted, {total.TokensPerRound:F2} tokens per target pass");
    }

    /// <summary>The JSON of one output's speculation (null without a draft).</summary>
    public static JsonObject? ToJson(SpeculationStats? stats) => stats is null ? null : new JsonObject
    {
        ["draft_tokens"] = stats.DraftTokens,
        ["rounds"] = stats.Rounds,
        ["drafted"] = stats.Drafted,
        ["accepted"] = stats.Accepted,
        ["acceptance_rate"] = stats.AcceptanceRate,
        ["tokens_per_round"] = stats.TokensPerRound,
    };

    private static SpeculationStats Total(List<SpeculationStats> stats) =>
        new(stats[0].DraftTokens, stats.Sum(s => s.Rounds), stats.Sum(s => s.Drafted), stats.Sum(s => s.Accepted));
}
