using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models.Language;
using Loom.Models.Transformer;
using Loom.Server;
using Loom.Text.Tokenizers;

namespace Loom.Bench;

/// <summary>
/// <c>serve-load [--clients 64] [--requests 128] [--tokens 64] [--queue 2]</c>: a real <c>loom serve</c> (in process, on
/// loopback, no keys) over the shakespeare-char transformer shape (untrained weights; speed does not depend on them).
/// The same streaming /v1/completions requests (greedy, no stop, so each makes exactly N tokens) run one at a time from
/// one client, then from <c>--clients</c> concurrent clients; it prints aggregate tokens/s both ways, time to first token
/// (p50/p99), peak RSS, failures, and then, with a queue of <c>--queue</c>, how many of a burst were answered 429.
/// </summary>
public static class ServeLoadBench
{
    public static int Run(string[] args)
    {
        int clients = BenchSupport.Option(args, "--clients", 64);
        int requests = BenchSupport.Option(args, "--requests", 128);
        int tokens = BenchSupport.Option(args, "--tokens", 64);
        int smallQueue = BenchSupport.Option(args, "--queue", 2);
        TorchRuntime.EnsureLoaded();
        var store = Directory.CreateTempSubdirectory("loom-serve-load").FullName;
        try
        {
            var text = File.ReadAllText(Loom.Data.DataCatalog.Resolve("tinyshakespeare").Path!);
            var tokenizer = CharTokenizer.Train(text);
            using (var model = new NeuralLanguageModel("gpt",
                new DecoderTransformer(TransformerConfig.Gpt2(tokenizer.VocabSize, 256, 6, 6, 384), seed: 0), tokenizer,
                SequenceLayout.Stream, 0))
                Checkpoint.Save(Path.Combine(store, "shakespeare-char"), model, new ModelCard());
            var prompts = Enumerable.Range(0, requests).Select(i => text.Substring(i * 997 % (text.Length - 64), 8 + i * 7 % 57)).ToList();
            var options = new LoomServerOptions
            {
                ModelsFolder = store, Port = 0, NoAuth = true, QueueLength = requests, MaxBatchSize = clients,
            };
            Console.WriteLine($"serve-load: {requests} streaming requests × {tokens} tokens; {clients} clients; "
                + $"torch threads {TorchSharp.torch.get_num_threads()}");
            var (aloneTokens, aloneSeconds, _, aloneFailures) = Load(options, prompts, 1, tokens);
            Report("one at a time", aloneTokens, aloneSeconds, null, aloneFailures);
            var (tokensMade, seconds, firstTokens, failures) = Load(options, prompts, clients, tokens);
            Report($"{clients} clients    ", tokensMade, seconds, firstTokens, failures);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"continuous batching over HTTP: {tokensMade / seconds / (aloneTokens / aloneSeconds):F1}× the one-at-a-time tokens/s; "
                + $"peak RSS {BenchSupport.PeakResidentBytes() / 1e9:F2} GB"));
            var small = new LoomServerOptions
            {
                ModelsFolder = store, Port = 0, NoAuth = true, QueueLength = smallQueue, MaxBatchSize = Math.Max(1, clients / 8),
            };
            var (accepted, refused) = Burst(small, prompts.Take(clients).ToList(), tokens);
            Console.WriteLine($"burst of {clients} with {small.MaxBatchSize} rows and a queue of {smallQueue}: {accepted} served, "
                + $"{refused} answered 429");
            return 0;
        }
        finally
        {
            Directory.Delete(store, recursive: true);
        }
    }

    private static (int Tokens, double Seconds, List<double> FirstTokens, int Failures) Load(LoomServerOptions options,
        IReadOnlyList<string> prompts, int clients, int tokens)
    {
        return Task.Run(async () =>
        {
            await using var server = await LoomServer.StartAsync(options).ConfigureAwait(false);
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
            await StreamOne(http, prompts[0], 4).ConfigureAwait(false);   // load the model and warm up
            int next = -1, made = 0, failures = 0;
            var firstTokens = new List<double>();
            var clock = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, clients).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < prompts.Count)
                {
                    try
                    {
                        var (count, first) = await StreamOne(http, prompts[i], tokens).ConfigureAwait(false);
                        Interlocked.Add(ref made, count);
                        lock (firstTokens) firstTokens.Add(first);
                    }
                    catch (HttpRequestException)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            }).ToList();
            await Task.WhenAll(workers).ConfigureAwait(false);
            return (made, clock.Elapsed.TotalSeconds, firstTokens, failures);
        }).GetAwaiter().GetResult();
    }

    /// <summary>One streaming completion; returns the tokens it made and the seconds to its first token.</summary>
    private static async Task<(int Tokens, double FirstToken)> StreamOne(HttpClient http, string prompt, int tokens)
    {
        var clock = Stopwatch.StartNew();
        var body = new JsonObject
        {
            ["model"] = "shakespeare-char", ["prompt"] = prompt, ["max_tokens"] = tokens, ["temperature"] = 0, ["stream"] = true,
            ["stream_options"] = new JsonObject { ["include_usage"] = true },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = JsonContent.Create(body) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
            throw new HttpRequestException($"{(int)response.StatusCode}", null, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync().ConfigureAwait(false));
        double first = -1;
        int made = 0;
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal) || line == "data: [DONE]") continue;
            var chunk = JsonNode.Parse(line[6..])!;
            bool text = chunk["choices"] is JsonArray { Count: > 0 } choices && choices[0]!["text"]?.GetValue<string>() is { Length: > 0 };
            if (first < 0 && text)
                first = clock.Elapsed.TotalSeconds;
            if (chunk["usage"] is JsonObject usage)
                made = usage["completion_tokens"]!.GetValue<int>();
        }
        return (made, first);
    }

    /// <summary>All requests at once against a small batch and queue: how many were served and how many refused.</summary>
    private static (int Accepted, int Refused) Burst(LoomServerOptions options, IReadOnlyList<string> prompts, int tokens)
    {
        return Task.Run(async () =>
        {
            await using var server = await LoomServer.StartAsync(options).ConfigureAwait(false);
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(30) };
            await StreamOne(http, prompts[0], 4).ConfigureAwait(false);
            int accepted = 0, refused = 0;
            await Task.WhenAll(prompts.Select(async p =>
            {
                try
                {
                    await StreamOne(http, p, tokens).ConfigureAwait(false);
                    Interlocked.Increment(ref accepted);
                }
                catch (HttpRequestException e) when (e.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Interlocked.Increment(ref refused);
                }
            })).ConfigureAwait(false);
            return (accepted, refused);
        }).GetAwaiter().GetResult();
    }

    private static void Report(string label, int made, double seconds, List<double>? firstTokens, int failures)
    {
        string latency = firstTokens is { Count: > 0 }
            ? $", first token p50 {Percentile(firstTokens, 0.5):F2} s, p99 {Percentile(firstTokens, 0.99):F2} s" : "";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}  {made} tokens in {seconds:F1} s = {made / seconds:F1} tokens/s{latency}; {failures} failed"));
    }

    private static double Percentile(List<double> values, double q)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
    }
}
