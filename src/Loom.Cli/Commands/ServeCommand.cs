using System.CommandLine;
using Loom.Core;
using Loom.Server;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom serve --models DIR</c>: the library's OpenAI-compatible server (<see cref="LoomServer"/>) over a model store,
/// on loopback port 8080 unless told otherwise. The flags map onto <see cref="LoomServerOptions"/>; Ctrl-C or SIGTERM
/// stops it after in-flight requests finish.
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var models = ModelsOption();
        var host = new Option<string>("--host")
        {
            Description = "Address to listen on (0.0.0.0 exposes the server)",
            DefaultValueFactory = _ => "127.0.0.1"
        };
        var port = new Option<int>("--port") { Description = "TCP port (0 picks a free one)", DefaultValueFactory = _ => 8080 };
        var noAuth = new Option<bool>("--no-auth") { Description = "Serve without API keys (every route open)" };
        var defaults = new LoomServerOptions();
        var maxModels = new Option<int>("--max-models")
        {
            Description = "Most models held in memory",
            DefaultValueFactory = _ => defaults.MaxModels
        };
        var maxModelBytes = new Option<long>("--max-model-bytes") { Description = "Most bytes of weights held in memory (0: no bound)" };
        var maxBody = new Option<long>("--max-request-body-bytes")
        {
            Description = "Largest request body accepted",
            DefaultValueFactory = _ => defaults.MaxRequestBodyBytes
        };
        var maxTokens = new Option<int>("--max-tokens-per-request")
        {
            Description = "Most tokens one request may generate",
            DefaultValueFactory = _ => defaults.MaxTokensPerRequest
        };
        var queue = new Option<int>("--queue-length")
        {
            Description = "Requests that may wait per model (beyond: 429)",
            DefaultValueFactory = _ => defaults.QueueLength
        };
        var maxBatch = new Option<int>("--max-batch")
        {
            Description = "Most text requests of one model decoding together (continuous batching)",
            DefaultValueFactory = _ => defaults.MaxBatchSize
        };
        var dtype = CliOptions.Dtype();
        var adapters = new Option<string[]>("--adapter")
        {
            Description = "MODEL=DIR: apply the LoRA adapter in DIR to the model MODEL of the store (repeatable)",
        };
        var drafts = new Option<string[]>("--draft")
        {
            Description = "MODEL=DIR: decode MODEL's text requests speculatively with the draft language model in DIR (repeatable)",
        };
        var draftTokens = new Option<int>("--draft-tokens")
        {
            Description = "Tokens a draft proposes per round (with --draft)", DefaultValueFactory = _ => defaults.DraftTokens,
        };
        var rate = new Option<int>("--rate-limit") { Description = "Requests per minute per API key (0: no limit)" };
        var timeout = new Option<double>("--request-timeout")
        {
            Description = "Seconds a request may take",
            DefaultValueFactory = _ => defaults.RequestTimeout.TotalSeconds
        };
        var shutdown = new Option<double>("--shutdown-timeout")
        {
            Description = "Seconds stopping waits for in-flight requests",
            DefaultValueFactory = _ => defaults.ShutdownTimeout.TotalSeconds
        };
        var watermark = new WatermarkCliOptions("--watermark-");
        var imageWatermark = new ImageWatermarkCliOptions();
        var command = new Command("serve", "Serve a folder of models over an OpenAI-compatible HTTP API")
        {
            models, host, port, noAuth, maxModels, maxModelBytes, maxBody, maxTokens, queue, maxBatch, dtype, rate, timeout, shutdown,
            adapters, drafts, draftTokens,
        };
        var moderation = new ModerationCliOptions();
        foreach (var option in moderation.All) command.Options.Add(option);
        foreach (var option in watermark.All) command.Options.Add(option);
        foreach (var option in imageWatermark.All) command.Options.Add(option);
        // A synchronous action: System.CommandLine installs its own signal handling (and a forced exit) for async ones,
        // while loom's handlers (CliContext) already turn Ctrl-C and SIGTERM into a graceful stop.
        command.SetAction(parse =>
        {
            // Read once: a text given to --memorization-data is read by Options.
            var moderationOptions = moderation.Options(parse, imagesAllowed: true);
            var options = new LoomServerOptions
            {
                ModelsFolder = parse.GetValue(models)!, Host = parse.GetValue(host)!, Port = parse.GetValue(port),
                NoAuth = parse.GetValue(noAuth), MaxModels = parse.GetValue(maxModels), MaxModelBytes = parse.GetValue(maxModelBytes),
                MaxRequestBodyBytes = parse.GetValue(maxBody), MaxTokensPerRequest = parse.GetValue(maxTokens),
                QueueLength = parse.GetValue(queue), MaxBatchSize = parse.GetValue(maxBatch),
                Dtype = Core.ComputeDtype.Parse(parse.GetValue(dtype)), RateLimitPerMinute = parse.GetValue(rate),
                RequestTimeout = Seconds(parse.GetValue(timeout)), ShutdownTimeout = Seconds(parse.GetValue(shutdown)),
                Adapters = ModelFolderPairs("--adapter", "adapters", parse.GetValue(adapters) ?? []),
                Drafts = ModelFolderPairs("--draft", "drafts", parse.GetValue(drafts) ?? []), DraftTokens = parse.GetValue(draftTokens),
                Moderation = moderationOptions,
                ImageMemorizationData = moderation.ImageMemorizationData(parse),
                ImageMemorization = moderation.ImageMemorizationOptions(parse, moderationOptions),
                Watermark = watermark.Apply(parse, null),
                ImageWatermark = imageWatermark.Build(parse),
            };
            ServeAsync(options, parse.InvocationConfiguration.Output).GetAwaiter().GetResult();
            return 0;
        });
        return command;
    }

    private static async Task ServeAsync(LoomServerOptions options, TextWriter console)
    {
        await using var server = await LoomServer.StartAsync(options, CliContext.Cancellation);
        int count = server.State.Store.List().Count;
        console.WriteLine($"loom serve: listening on {server.BaseAddress} ({count} models in {server.State.Store.Root}; "
            + (options.NoAuth ? "no API keys: anyone who can reach this address can use it)" : "API keys required)"));
        console.Flush();
        try
        {
            await Task.Delay(Timeout.Infinite, CliContext.Cancellation);
        }
        catch (OperationCanceledException)
        {
            console.WriteLine("loom serve: stopping after in-flight requests finish");
            console.Flush();
        }
        await server.StopAsync();
    }

    /// <summary>The <c>--adapter MODEL=DIR</c> or <c>--draft MODEL=DIR</c> values by model id.</summary>
    private static Dictionary<string, string> ModelFolderPairs(string flag, string what, string[] values)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            int split = value.IndexOf('=', StringComparison.Ordinal);
            if (split <= 0 || split == value.Length - 1)
                throw new LoomUsageException($"{flag}: '{value}' is not MODEL=DIR");
            if (!pairs.TryAdd(value[..split], value[(split + 1)..]))
                throw new LoomUsageException($"{flag}: model '{value[..split]}' is given two {what}");
        }
        return pairs;
    }

    /// <summary>The <c>--models DIR</c> option of <c>serve</c> and <c>keys</c>.</summary>
    public static Option<string> ModelsOption() =>
        new("--models") { Description = "The model store: a folder whose subfolders are checkpoints or HF model folders", Required = true };

    private static TimeSpan Seconds(double seconds) =>
        double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : TimeSpan.Zero;
}
