using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Loom.Core;
using Loom.Data;
using Loom.Text.Tokenizers;
using Loom.Text.Watermarks;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom watermark detect --key K [--gamma G] [--seeding S] --tokenizer CKPT_OR_HF_DIR (TEXT | --file F)</c>: tests a text
/// for the green-list watermark <c>loom sample --watermark-key</c> embeds and prints z, the p-value, the green fraction, the
/// tokens scored and the verdict at <c>--threshold</c>.
/// </summary>
public static class WatermarkCommand
{
    public static Command Create()
    {
        var command = new Command("watermark", "Detect the green-list text watermark (Kirchenbauer et al. 2023)");
        command.Subcommands.Add(Detect());
        return command;
    }

    private static Command Detect()
    {
        var flags = new WatermarkCliOptions("--");
        var text = new Argument<string?>("text") { Description = "The text to test (or use --file)", Arity = ArgumentArity.ZeroOrOne };
        var file = new Option<string?>("--file") { Description = "A UTF-8 file whose text to test" };
        var tokenizer = new Option<string>("--tokenizer")
        {
            Description = "The generating model's checkpoint or HF folder (or its tokenizer.json)", Required = true,
        };
        var vocabSize = new Option<int?>("--vocab-size")
        {
            Description = "Width of the model's logits (default: config.json's vocab_size, else the tokenizer's)",
        };
        var threshold = new Option<double>("--threshold")
        {
            Description = "Call it watermarked when z exceeds this", DefaultValueFactory = _ => 4.0,
        };
        var ignoreRepeated = new Option<bool>("--ignore-repeated")
        {
            Description = "Score each (context, token) pair once, so repeated phrases count once",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var command = new Command("detect", "Test a text for the watermark: z-score, p-value, green fraction, verdict")
        {
            text, file, tokenizer, vocabSize, threshold, ignoreRepeated, json,
        };
        foreach (var option in flags.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var input = (parse.GetValue(text), parse.GetValue(file)) switch
            {
                ({ } given, null) => given,
                (null, { } path) => TextFile.Read(path),
                _ => throw new LoomUsageException("watermark detect: give the text or --file, not both and not neither"),
            };
            if (parse.GetValue(flags.Key) is null)
                throw new LoomUsageException("--key: the watermark's secret key is required");
            var options = flags.Apply(parse, null)!;
            if (!double.IsFinite(parse.GetValue(threshold)))
                throw new LoomUsageException("--threshold: must be a finite number");
            var folder = parse.GetValue(tokenizer)!;
            var loaded = TokenizerFiles.Load(folder);
            var detector = new WatermarkDetector(options, parse.GetValue(vocabSize) ?? ModelVocabSize(folder) ?? loaded.VocabSize, loaded)
            {
                IgnoreRepeatedNGrams = parse.GetValue(ignoreRepeated), ZThreshold = parse.GetValue(threshold),
            };
            var result = detector.Detect(input);
            if (result.TokensScored == 0)
                throw new LoomDataException($"the text has no token after the first {detector.GreenList.ContextWidth} to score");
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine(parse.GetValue(json) ? JsonSerializer.Serialize(result) : Describe(result));
            return 0;
        });
        return command;
    }

    private static string Describe(WatermarkDetection r) => string.Create(CultureInfo.InvariantCulture,
        $"z = {r.ZScore:F2}, p = {r.PValue:G3}, green {r.GreenTokens}/{r.TokensScored} = {r.GreenFraction:F3} "
        + $"(γ = {r.ExpectedGreenFraction:F3}): {(r.IsWatermarked ? "watermarked" : "not watermarked")} at z > {r.ZThreshold:G}");

    /// <summary>config.json's vocab_size in a model folder (Loom checkpoints and HF folders write one), or null.</summary>
    private static int? ModelVocabSize(string folder)
    {
        var config = Path.Combine(folder, "config.json");
        if (!File.Exists(config))
            return null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(config));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("vocab_size", out var v)
                && v.TryGetInt32(out int size) ? size : null;
        }
        catch (JsonException e)
        {
            throw new LoomDataException($"{config}: not valid JSON ({e.Message.Split('\n')[0]})", e);
        }
    }
}
