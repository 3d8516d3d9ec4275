using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Diffusion;
using Loom.Models.Energy;
using Loom.Models.Language;
using Loom.Models.Tabular;
using Loom.Models.Tabular.Neural;
using Loom.Safety;
using Loom.Safety.Images;
using Loom.Text.Generation;
using Loom.Watermarks.Images;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom sample CKPT</c>: draws samples and writes them in the natural format of the family. Neural text models go
/// through the decoding engine with every decoding option, <c>--stream</c> and <c>--logprobs</c>.
/// </summary>
public static class SampleCommand
{
    public static Command Create()
    {
        var checkpoint = CliOptions.Checkpoint();
        var count = new Option<int>("--n") { Description = "Number of samples", DefaultValueFactory = _ => 16 };
        var length = new Option<int>("--length")
        {
            Description = "Length of each sequence / text (tokens or steps)", DefaultValueFactory = _ => 200
        };
        var prompt = new Option<string?>("--prompt") { Description = "Text the samples start with (text models)" };
        var promptIds = new Option<string?>("--prompt-ids")
        {
            Description = "The prompt as comma-separated token ids, e.g. 1,2,3 (text models; works without a tokenizer)"
        };
        var temperature = new Option<double>("--temperature")
        {
            Description = "Sampling temperature: softmax temperature for text models, prior standard deviation for a VAE or GAN",
            DefaultValueFactory = _ => 1.0
        };
        var condition = new Option<string[]>("--condition")
        {
            Description = "Table models: col=value that every sampled row has (repeatable)", AllowMultipleArgumentsPerToken = false
        };
        var oneHots = new Option<string?>("--one-hots")
        {
            Description = "CTGAN and TVAE: 'draw' each category and mode from the network's softmax, or take the 'most-likely' "
                + "(default: draw; SDV's TVAE takes the most likely)",
        };
        var stream = new Option<bool>("--stream") { Description = "Print text as it is generated (neural text models, one sample)" };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var dtype = CliOptions.Dtype();
        var adapter = AdapterCliOption.Create();
        var output = CliOptions.Out(
            "Output file: .csv or .png for points, .txt for text, .json for sequences or token log-probs; omit to print", required: false);
        var sign = SampleSigning.Option();
        var generation = new GenerationCliOptions();
        var diffusion = new DiffusionCliOptions();
        var moderation = new ModerationCliOptions();
        var imageWatermark = new ImageWatermarkCliOptions();
        var speculative = new SpeculativeCliOptions();
        var command = new Command("sample",
            "Draw samples from a checkpoint")
        {
            checkpoint, count, length, prompt, promptIds, temperature, condition, oneHots, stream, seed, device, dtype, output, sign,
        };
        command.Options.Add(adapter);
        foreach (var option in generation.All) command.Options.Add(option);
        foreach (var option in speculative.All) command.Options.Add(option);
        foreach (var option in diffusion.All) command.Options.Add(option);
        foreach (var option in moderation.All) command.Options.Add(option);
        foreach (var option in imageWatermark.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            using var signing = SampleSigning.Prepare(parse, sign, output);
            var exitCode = Sample(parse);
            if (exitCode == 0)
                signing?.Sign(parse, parse.GetValue(checkpoint)!, parse.GetValue(seed), parse.InvocationConfiguration.Output);
            return exitCode;
        });
        return command;

        int Sample(ParseResult parse)
        {
            var console = parse.InvocationConfiguration.Output;
            var folder = parse.GetValue(checkpoint)!;
            var moderator = moderation.Build(parse, imagesAllowed: true);   // before loading, so a bad moderation flag fails fast
            var marking = imageWatermark.Build(parse);
            using var model = AdapterCliOption.Load(parse, folder, adapter, device, dtype);
            CheckMemorizationData(parse.GetValue(moderation.MemorizationData), model);
            using var copies = GeneratedImages.Makes(model) ? moderation.ImageMemorization(parse) : null;
            if (model.GetService<ITextGenerationModel>() is { } lm)
            {
                // An HF folder's generation_config.json may set its own temperature; --temperature given overrides it.
                double? softmaxTemperature = parse.GetResult(temperature) is { Implicit: false }
                    ? CliOptions.PositiveDouble(parse, temperature) : null;
                var settings = generation.Build(parse, lm, CliOptions.Positive(parse, length), softmaxTemperature, parse.GetValue(seed));
                var prompts = new TextPrompts(parse.GetValue(prompt) ?? "", ParseIds(parse.GetValue(promptIds), parse.GetValue(prompt)),
                    CliOptions.Positive(parse, count));
                using var draftModel = speculative.Load(parse, device, dtype, model.Kind);
                var generator = speculative.For(parse, draftModel) is { } draft
                    ? lm.CreateGenerator().WithDraft(draft)
                    : lm.CreateGenerator();
                return SampleText(generator, settings, prompts, moderator, parse.GetValue(stream), parse.GetValue(output), console);
            }
            if (parse.GetValue(speculative.Draft) is not null)
                throw new LoomUsageException($"--draft: a '{model.Kind}' model does not decode text; it is for neural text models");
            if (parse.GetValue(promptIds) is not null)
                throw new LoomUsageException($"--prompt-ids: a '{model.Kind}' model takes no token ids; it is for text models");
            if (model.GetService<IDiffusionGenerator>() is { } dm)
            {
                // The diffusion flags travel as the request's DiffusionRequest option; the model returns labels and class names.
                using var progress = new ConsoleProgress("sample diffusion", Console.Error);
                var diffusionRequest = diffusion.Build(parse, dm, CliOptions.Positive(parse, count), parse.GetValue(seed), progress);
                var diffusionSampling =
                    new SampleRequest { Count = diffusionRequest.Count, Seed = diffusionRequest.Seed }.With(diffusionRequest);
                Report(SampleToFile.Run(model, diffusionSampling, new SampleToFileOptions
                {
                    Path = parse.GetValue(output), Memorization = copies, Watermark = marking,
                }), parse.GetValue(output), marking, console);
                return 0;
            }
            if (parse.GetValue(stream))
                throw new LoomUsageException($"--stream: a '{model.Kind}' model does not stream; it is for neural text models");
            var request = new SampleRequest
            {
                Count = CliOptions.Positive(parse, count),
                Length = parse.GetValue(generation.MaxTokens) ?? CliOptions.Positive(parse, length),
                Prompt = parse.GetValue(prompt),
                Temperature = CliOptions.PositiveDouble(parse, temperature),
                Seed = parse.GetValue(seed),
                Class = RequestedClass(parse.GetValue(diffusion.Class), model),
            };
            if (parse.GetValue(condition) is { Length: > 0 } conditions)
                request = model.GetService<ITableGenerator>() is not null
                    ? request.With(TableConditions.Parse(conditions))
                    : throw new LoomUsageException($"--condition: a '{model.Kind}' model takes no conditions; it is for table models");
            if (parse.GetValue(oneHots) is { } oneHotText)
                request = request.With(OneHotsOption(oneHotText, model));
            if (parse.GetValue(diffusion.Steps) is { } sgldSteps)   // read by energy-based models; others ignore the option
                request = request.With(new SgldRequest(sgldSteps));
            Report(SampleToFile.Run(model, request, new SampleToFileOptions
            {
                Path = parse.GetValue(output), Memorization = copies, Watermark = marking,
                Review = samples => samples is TextSamples texts && moderator is not null
                    ? new TextSamples(texts.Texts.Select((t, i) => Shown(Review(moderator, t, $"sample {i + 1}"))).ToList())
                    : samples,
            }), parse.GetValue(output), marking, console);
            return 0;
        }
    }

    /// <summary>The <c>--one-hots</c> value as a request option; only CTGAN and TVAE take it.</summary>
    private static OneHotSampling OneHotsOption(string text, IGenerativeModel model)
    {
        if (model.GetService<IOneHotTableGenerator>() is null)
            throw new LoomUsageException($"--one-hots: a '{model.Kind}' model has no one-hot outputs; it is for ctgan and tvae models");
        return text switch
        {
            "draw" => new OneHotSampling(OneHotChoice.Draw),
            "most-likely" => new OneHotSampling(OneHotChoice.MostLikely),
            _ => throw new LoomUsageException($"--one-hots: expected draw or most-likely, got '{text}'"),
        };
    }

    /// <summary>Training data for the memorization check must be what the model makes: a text for text, images for images.</summary>
    private static void CheckMemorizationData(string? data, IGenerativeModel model)
    {
        if (data is null) return;
        bool images = ModerationCliOptions.IsImageData(data), makesImages = GeneratedImages.Makes(model);
        if (images && !makesImages)
            throw new LoomUsageException($"--memorization-data: '{data}' holds images, but a '{model.Kind}' model does not make images");
        if (!images && makesImages)
            throw new LoomUsageException(
                $"--memorization-data: a '{model.Kind}' model makes images; give fashion-mnist or a folder of PNGs");
    }

    /// <summary>Reports what <see cref="SampleToFile.Run"/> did: the near-copy check and the watermark on stderr, then the
    /// files written (or the samples as text) on the console.</summary>
    private static void Report(SampleToFileResult result, string? path, ImageWatermarkOptions watermark, TextWriter console)
    {
        if (result.Memorization is { } review)
            ModerationCliOptions.Report(review);
        if (result.Watermark == SampleWatermarkOutcome.TooSmall && result.ImageSize is var (width, height))
            Console.Error.WriteLine($"loom: images of {height}×{width} pixels are too small for the invisible "
                + $"watermark (at least {ImageWatermarkOptions.MinSide}×{ImageWatermarkOptions.MinSide}); written unmarked");
        else if (result.Watermark == SampleWatermarkOutcome.Marked)
            Console.Error.WriteLine(ImageWatermarkCliOptions.MarkedNote(watermark));
        SampleWriter.Write(result, path, console);
    }

    /// <summary>--class for the generic path: an index (checked by the model), 'all' or nothing (the model spreads classes).</summary>
    private static int? RequestedClass(string? spec, IGenerativeModel model)
    {
        if (spec is null) return null;
        if (model.GetService<IConditionalModel>() is not { NumClasses: > 0 })
            throw new LoomUsageException($"--class: a '{model.Kind}' model here is not class-conditional");
        if (spec.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return null;
        if (!int.TryParse(spec, out int c))
            throw new LoomUsageException($"--class: expected a class index or 'all', got '{spec}'");
        return c;
    }

    /// <summary>--prompt-ids "1,2,3" as ids; null when not given. Both --prompt and --prompt-ids is a usage error.</summary>
    private static IReadOnlyList<int>? ParseIds(string? spec, string? text)
    {
        if (spec is null) return null;
        if (text is not null) throw new LoomUsageException("--prompt-ids: give the prompt as text (--prompt) or as token ids, not both");
        var parts = spec.Split(',', StringSplitOptions.TrimEntries);
        var ids = new List<int>();
        foreach (var part in parts)
            ids.Add(int.TryParse(part, out int id) && id >= 0
                ? id : throw new LoomUsageException($"--prompt-ids: expected comma-separated token ids ≥ 0, got '{part}'"));
        return ids;
    }

    /// <summary>The same prompt <see cref="Count"/> times, as text or as token ids.</summary>
    private sealed record TextPrompts(string Text, IReadOnlyList<int>? Ids, int Count);

    private static int SampleText(TextGenerator generator, Text.Decoding.GenerationSettings settings, TextPrompts prompts,
        ContentModerator? moderator, bool stream, string? output, TextWriter console)
    {
        string prompt = prompts.Ids is { } promptIds ? generator.Tokenizer.Decode(promptIds) : prompts.Text;
        if (stream)
        {
            if (prompts.Count != 1)
                throw new LoomUsageException("--stream: streams one sample; use --n 1");
            StreamText(generator, settings, prompts, prompt, moderator, console);
            return 0;
        }
        var outputs = prompts.Ids is { } promptTokens
            ? generator.Generate(Enumerable.Repeat(promptTokens, prompts.Count).ToList(), settings, CliContext.Cancellation)
            : generator.Generate(Enumerable.Repeat(prompts.Text, prompts.Count).ToList(), settings, CliContext.Cancellation);
        if (SpeculativeCliOptions.Summary(outputs) is { } speculation)
            Console.Error.WriteLine($"loom: {speculation}");
        // Only the generated text is reviewed: the prompt is the user's own.
        var reviews = outputs.Select((o, i) => Review(moderator, o.Text, $"sample {i + 1}")).ToList();
        if (settings.Logprobs > 0 || (output?.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            var json = new JsonArray(outputs.Select((o, i) => (JsonNode)ToJson(o, reviews[i])).ToArray())
                .ToJsonString(new JsonSerializerOptions { WriteIndented = true });
            if (output is null) console.WriteLine(json);
            else AtomicFile.WriteAllText(output, json + "\n");
            return 0;
        }
        SampleWriter.Write(new TextSamples(reviews.Select(r => prompt + Shown(r)).ToList()), output, console);
        return 0;
    }

    /// <summary>
    /// Prints one sample as it is generated. When moderation may redact or block, the text is held back until it has been
    /// reviewed, then printed at once.
    /// </summary>
    private static void StreamText(TextGenerator generator, Text.Decoding.GenerationSettings settings, TextPrompts prompts,
        string prompt, ContentModerator? moderator, TextWriter console)
    {
        bool holdBack = moderator?.MayChangeOutput ?? false;
        console.Write(prompt);
        var tokens = prompts.Ids is { } ids
            ? generator.Stream([ids], settings, CliContext.Cancellation)
            : generator.Stream([prompts.Text], settings, CliContext.Cancellation);
        var text = new System.Text.StringBuilder();
        foreach (var token in tokens)
        {
            text.Append(token.Text);
            if (holdBack) continue;
            console.Write(token.Text);
            console.Flush();
        }
        var review = Review(moderator, text.ToString(), "sample");
        if (holdBack) console.Write(Shown(review));
        console.WriteLine();
    }

    private static ModerationResult Review(ContentModerator? moderator, string text, string what)
    {
        var result = moderator?.Review(text) ?? new ModerationResult(text, [], Redacted: false, Blocked: false);
        ModerationCliOptions.Report(result, what);
        return result;
    }

    private static string Shown(ModerationResult review) => review.Blocked ? ModerationCliOptions.Placeholder(review) : review.Text;

    private static JsonObject ToJson(GenerationOutput o, ModerationResult review)
    {
        var json = Fields(o, review);
        if (SpeculativeCliOptions.ToJson(o.Speculation) is { } speculation)
            json["speculative"] = speculation;
        return json;
    }

    private static JsonObject Fields(GenerationOutput o, ModerationResult review) => new()
    {
        ["moderation"] = ModerationJson.From(review),
        ["prompt"] = o.Prompt,
        ["text"] = review.Blocked ? "" : review.Text,
        ["finish_reason"] = o.FinishReason,
        // A redacted or blocked text's tokens would show what moderation withheld.
        ["token_ids"] = new JsonArray((review.Redacted || review.Blocked ? [] : o.TokenIds).Select(t => (JsonNode)t).ToArray()),
        ["tokens"] = new JsonArray(o.Tokens.Where(t => t.TokenId >= 0 && !review.Redacted && !review.Blocked)
            .Select(t => (JsonNode)new JsonObject
            {
                ["id"] = t.TokenId,
                ["text"] = t.Text,
                ["logprob"] = t.Logprob,
                ["top"] = new JsonArray(t.Alternatives.Select(a => (JsonNode)new JsonObject
                {
                    ["id"] = a.TokenId, ["text"] = a.Text, ["logprob"] = a.Logprob
                }).ToArray()),
            }).ToArray()),
    };
}
