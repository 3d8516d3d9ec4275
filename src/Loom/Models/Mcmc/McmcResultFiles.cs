using System.Text.Json.Nodes;
using Loom.Data;
using Loom.IO;
using Loom.IO.Images;
using TorchSharp;

namespace Loom.Models.Mcmc;

/// <summary>An MCMC run as files (<c>loom mcmc --out</c>): draws.csv, summary.json and, for 2-D targets, draws.png.</summary>
public static class McmcResultFiles
{
    /// <summary>
    /// Writes <paramref name="result"/> into <paramref name="folder"/> (created if missing): every chain's draws as rows
    /// of draws.csv (<see cref="McmcResult.FlatDraws"/>, columns x0, x1, …), the run's settings and summaries as
    /// summary.json (with <paramref name="commandLine"/> when given), and a scatter of the draws as draws.png when the
    /// target is 2-D. Each file is written under a temporary name and renamed.
    /// </summary>
    public static void Write(McmcResult result, string folder, string targetName, McmcOptions options, string? commandLine = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(folder);
        using var scope = torch.NewDisposeScope();
        var flat = result.FlatDraws();
        int dims = (int)flat.shape[1];
        NumericCsv.Write(Path.Combine(folder, "draws.csv"), flat, Enumerable.Range(0, dims).Select(i => $"x{i}").ToList());
        var summary = new JsonObject
        {
            ["target"] = targetName,
            ["sampler"] = options.Sampler.ToString(),
            ["chains"] = options.Chains,
            ["samples"] = options.Samples,
            ["acceptance"] = result.Acceptance.Average(),
            ["step_size"] = result.StepSize,
            ["mean"] = new JsonArray(result.Mean.Select(v => (JsonNode)v).ToArray()),
            ["variance"] = new JsonArray(result.Variance.Select(v => (JsonNode)v).ToArray()),
            ["ess"] = new JsonArray(result.EffectiveSampleSize.Select(v => (JsonNode)v).ToArray()),
        };
        if (commandLine is not null) summary["command_line"] = commandLine;
        AtomicFile.WriteAllText(Path.Combine(folder, "summary.json"), summary.ToJsonString(new() { WriteIndented = true }));
        if (dims == 2)
            Plots.Scatter(Path.Combine(folder, "draws.png"), $"{targetName}: {options.Sampler} draws", [("draws", flat)]);
    }
}
