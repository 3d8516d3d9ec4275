using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Loom.Text.Tokenizers;
using static Loom.Bench.BenchSupport;

namespace Loom.Bench;

/// <summary>
/// <c>hf-tokenize</c>: encoding time of data/tinyshakespeare.txt with the real Llama 3 tokenizer.json, Loom's HF
/// pipeline vs @lenml/tokenizers in node (bench/peers/tokenize_llama3.mjs; both from tests/peers, installed by
/// build/setup.sh --tests). Each side encodes the whole text once per repeat (the first repeat fills the caches); the
/// ids must agree (count and checksum). Options: --repeats 3 --file PATH --no-peer.
/// </summary>
public static class HfTokenizeBench
{
    public static int Run(string[] args)
    {
        int repeats = Option(args, "--repeats", 3);
        var root = RepoRoot();
        var textPath = StringOption(args, "--file") ?? Path.Combine(root, "data", "tinyshakespeare.txt");
        var tokenizerPath = Path.Combine(root, "tests", "peers", "node_modules", "@lenml", "tokenizer-llama3", "models", "tokenizer.json");
        var text = File.ReadAllText(textPath);

        var load = Stopwatch.StartNew();
        var tokenizer = TokenizerFiles.Load(tokenizerPath);
        Console.WriteLine($"hf-tokenize bench: {text.Length:N0} chars of {Path.GetFileName(textPath)}, Llama 3 tokenizer "
            + $"(loaded in {load.Elapsed.TotalSeconds:F2} s), {repeats} repeats");
        var times = new List<double>();
        int[] ids = [];
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            ids = tokenizer.Encode(text);
            times.Add(sw.Elapsed.TotalSeconds);
        }
        Console.WriteLine($"loom: {ids.Length:N0} ids, checksum {Checksum(ids)}, encode times [{Join(times)}] s");
        if (args.Contains("--no-peer"))
            return 0;

        var peer = RunNodePeer(Path.Combine(root, "bench", "peers", "tokenize_llama3.mjs"), textPath, repeats);
        var peerTimes = peer["times"]!.AsArray().Select(t => t!.GetValue<double>()).ToList();
        int peerCount = peer["count"]!.GetValue<int>(), peerChecksum = peer["checksum"]!.GetValue<int>();
        Console.WriteLine($"@lenml/tokenizers (node): {peerCount:N0} ids, checksum {peerChecksum}, encode times [{Join(peerTimes)}] s");
        bool same = peerCount == ids.Length && peerChecksum == Checksum(ids);
        Console.WriteLine(same ? "ids: identical" : "ids: DIFFERENT");
        Console.WriteLine();
        Console.WriteLine("| benchmark | Loom first (s) | Loom median (s) | peer first (s) | peer median (s) | Loom / peer (median) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| Llama 3 encode, tinyshakespeare | {times[0]:F3} | {Median(times):F3} | {peerTimes[0]:F3} | {Median(peerTimes):F3} | "
                + $"{Median(times) / Median(peerTimes):F2} |"));
        BenchTable.Add(new BenchRow("HF tokenizer encode, Llama 3 tokenizer.json, tinyshakespeare (median)",
            BenchTable.Format($"{Median(times):F3} s"), BenchTable.Format($"{Median(peerTimes):F3} s (@lenml/tokenizers, node)"),
            Median(times) / Median(peerTimes), same ? "" : "ids differ"));
        return same ? 0 : 1;
    }

    /// <summary>The checksum the node peer computes: h = h * 31 + id in 32-bit arithmetic.</summary>
    private static int Checksum(int[] ids)
    {
        int h = 0;
        foreach (var id in ids)
            h = unchecked(h * 31 + id);
        return h;
    }

    private static string Join(IEnumerable<double> times) =>
        string.Join(", ", times.Select(t => t.ToString("F3", CultureInfo.InvariantCulture)));

    private static JsonObject RunNodePeer(string script, string textPath, int repeats)
    {
        var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { script, textPath, repeats.ToString(CultureInfo.InvariantCulture) })
            psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"node peer failed ({process.ExitCode}): {stderr.Result.Trim()} (run 'build/setup.sh --tests')");
        return JsonNode.Parse(stdout.Trim().Split('\n')[^1])!.AsObject();
    }
}
