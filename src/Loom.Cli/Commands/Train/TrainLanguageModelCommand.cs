using System.CommandLine;
using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Text.Tokenizers;
using Loom.Training;
using TorchSharp;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train gpt|llama|lstm|gru --data FILE --tokenizer char|bpe:N|tiktoken [--preset …]</c>: a neural language model
/// trained by the shared trainer. Writes the checkpoint (with its tokenizer), tokenizer.json, generation.json,
/// log.jsonl, loss.png and a sample; Ctrl-C saves and <c>--resume</c> continues bit-for-bit.
/// </summary>
public static class TrainLanguageModelCommand
{
    public static IEnumerable<Command> Create() => LanguageModelFactory.Kinds.Select(CreateFor);

    private static Command CreateFor(string kind)
    {
        var data = CliOptions.Data("UTF-8 text file, or a text data set: tinyshakespeare, names, kjv");
        var output = CliOptions.Out("Checkpoint folder to write");
        var tokenizer = new Option<string>("--tokenizer") { Description = "char | bpe:N (byte-level BPE trained to N tokens) | tiktoken (o200k_base)", DefaultValueFactory = _ => "char" };
        var preset = new Option<string?>("--preset") { Description = $"{string.Join(" | ", LanguageModelPresets.Presets.Select(p => p.Name))} (default: shakespeare-char-cpu for text, names for line data)" };
        var layout = new Option<string>("--layout") { Description = "stream (one text, random windows) | lines (one sequence per line) | auto (lines for the names data set)", DefaultValueFactory = _ => "auto" };
        var steps = new Option<long?>("--steps") { Description = "Optimizer steps" };
        var batchSize = new Option<int?>("--batch-size") { Description = "Sequences per step" };
        var context = new Option<int?>("--context") { Description = "Tokens per training window (the model's context length)" };
        var lr = new Option<double?>("--lr") { Description = "Peak learning rate (cosine decay to --min-lr)" };
        var minLr = new Option<double?>("--min-lr") { Description = "Learning rate at the end" };
        var warmup = new Option<long?>("--warmup") { Description = "Linear warmup steps" };
        var layers = new Option<int?>("--layers") { Description = "Transformer blocks or RNN layers" };
        var heads = new Option<int?>("--heads") { Description = "Attention heads" };
        var kvHeads = new Option<int?>("--kv-heads") { Description = "Key/value heads (llama: grouped-query attention)" };
        var width = new Option<int?>("--width") { Description = "Transformer width (embedding size)" };
        var hidden = new Option<int?>("--hidden") { Description = "RNN hidden size" };
        var embedding = new Option<int?>("--embedding") { Description = "RNN embedding size" };
        var dropout = new Option<double?>("--dropout") { Description = "Dropout probability" };
        var evalEvery = new Option<long?>("--eval-every") { Description = "Estimate train/val loss every N steps" };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "Save every N steps (0 = at the end and on Ctrl-C)", DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run saved in --out from its last checkpoint" };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var command = new Command(kind, LanguageModelSummary(kind))
        {
            data, output, tokenizer, preset, layout, steps, batchSize, context, lr, minLr, warmup, layers, heads, kvHeads, width, hidden, embedding,
            dropout, evalEvery, checkpointEvery, resume, seed, device,
        };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var source = DataCatalog.Resolve(parse.GetValue(data)!);
            if (source.Kind != DatasetKind.Text)
                throw new LoomUsageException($"--data: '{source.Spec}' is {source.Kind.ToString().ToLowerInvariant()} data; a language model needs text");
            var text = TextFile.Read(source.Path);
            bool lines = parse.GetValue(layout) switch
            {
                "auto" => source.Name == "names",
                "lines" => true,
                "stream" => false,
                var other => throw new LoomUsageException($"--layout: '{other}' is not a layout; use stream, lines or auto"),
            };
            var chosen = LanguageModelPresets.Get(parse.GetValue(preset) ?? LanguageModelFactory.DefaultPreset(kind, lines));
            long seedValue = parse.GetValue(seed);
            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            bool resuming = parse.GetValue(resume);
            var options = chosen.Training with
            {
                Steps = parse.GetValue(steps) ?? chosen.Training.Steps,
                BatchSize = parse.GetValue(batchSize) ?? chosen.Training.BatchSize,
                Context = parse.GetValue(context) ?? chosen.Training.Context,
                LearningRate = parse.GetValue(lr) ?? chosen.Training.LearningRate,
                MinLearningRate = parse.GetValue(minLr) ?? Math.Min(chosen.Training.MinLearningRate, parse.GetValue(lr) ?? double.MaxValue),
                Warmup = parse.GetValue(warmup) ?? chosen.Training.Warmup,
                EvalEvery = parse.GetValue(evalEvery) ?? chosen.Training.EvalEvery,
                CheckpointEvery = parse.GetValue(checkpointEvery),
                Seed = seedValue,
            };
            options.Validate();

            Seeding.SeedEverything(seedValue);
            var tok = resuming ? ReadTokenizer(outDir, kind) : CreateTokenizer(parse.GetValue(tokenizer)!, text);
            var (corpus, delimiter) = Prepare(text, tok, lines, seedValue);
            int modelContext = lines ? Math.Max(options.Context, corpus.LongestLine) : options.Context;
            options = options with { Context = modelContext };
            var overrides = new NetworkOverrides
            {
                Layers = parse.GetValue(layers), Heads = parse.GetValue(heads), KvHeads = parse.GetValue(kvHeads), Width = parse.GetValue(width),
                Dropout = parse.GetValue(dropout), Hidden = parse.GetValue(hidden), EmbeddingWidth = parse.GetValue(embedding),
            };
            var targetDevice = DeviceSelector.Parse(parse.GetValue(device));
            var network = LanguageModelFactory.Create(kind, chosen, overrides, tok.VocabSize, modelContext, seedValue);
            network.to(targetDevice);
            using var model = new NeuralLanguageModel(kind, network, tok, lines ? SequenceLayout.Lines : SequenceLayout.Stream, delimiter);
            long parameters = network.parameters().Sum(p => p.numel());
            console.WriteLine($"{kind}: {parameters:N0} parameters, vocabulary {tok.VocabSize} ({tok.Kind}), {corpus.TrainTokens:N0} training tokens, preset {chosen.Name}, device {targetDevice}");
            var provenance = DataProvenance.OfFile(source.Path);

            var run = new LanguageModelRun(model, corpus, options, outDir, resuming, provenance, targetDevice.ToString());
            var watch = Stopwatch.StartNew();
            var result = run.Train();
            var metrics = run.FinalMetrics(watch.Elapsed.TotalSeconds, parameters);
            string? notes = result.Interrupted ? $"interrupted (Ctrl-C or SIGTERM) at step {result.Steps}; continue with --resume" : null;
            CheckpointWriter.Save(outDir, model, [provenance], seedValue, targetDevice.ToString(), metrics, console, notes);
            tok.Save(outDir);
            model.DefaultSettings().Save(Path.Combine(outDir, "generation.json"));
            var sample = ((Models.TextSamples)model.Sample(new Models.SampleRequest { Count = 1, Length = lines ? 200 : 300, Seed = seedValue })).Texts[0];
            AtomicFile.WriteAllText(Path.Combine(outDir, "sample.txt"), sample + "\n");
            console.WriteLine($"  sample                   {Path.Combine(outDir, "sample.txt")}");
            return 0;
        });
        return command;
    }

    private static string LanguageModelSummary(string kind) => kind switch
    {
        "gpt" => "GPT-2-style transformer language model",
        "llama" => "Llama-style transformer language model (RMSNorm, RoPE, SwiGLU, grouped-query attention)",
        "lstm" => "LSTM language model",
        _ => "GRU language model",
    };

    /// <summary>Tokenizes the text as a stream or as framed lines; returns the data and the start/delimiter token.</summary>
    private static (LanguageModelData Data, int Delimiter) Prepare(string text, ITokenizer tokenizer, bool lines, long seed)
    {
        var newline = tokenizer.Encode("\n");
        int delimiter = newline.Length == 1 ? newline[0] : tokenizer.EosId ?? tokenizer.BosId
            ?? throw new LoomDataException("the tokenizer has no single token for a newline and no end-of-text token to start samples from");
        if (!lines)
            return (LanguageModelData.FromStream(tokenizer.Encode(text)), delimiter);
        var rows = text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).Select(l => tokenizer.Encode(l)).ToList();
        return (LanguageModelData.FromLines(rows, delimiter, seed), delimiter);
    }

    private static ITokenizer CreateTokenizer(string spec, string text)
    {
        try { return TokenizerFactory.Create(spec, text); }
        catch (LoomUsageException e) when (!e.Message.StartsWith("--tokenizer", StringComparison.Ordinal))
        {
            throw new LoomUsageException("--tokenizer: " + e.Message);
        }
    }

    private static ITokenizer ReadTokenizer(string outDir, string kind)
    {
        if (!File.Exists(Path.Combine(outDir, "tokenizer.json")))
            throw new LoomUsageException($"--resume: {outDir} has no tokenizer.json; it was not written by loom train {kind}");
        return TokenizerFiles.Load(outDir);
    }
}
