using System.CommandLine;
using System.CommandLine.Parsing;
using Loom.Core;
using Loom.Provenance;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom sample … --sign KEYDIR</c>: signs the file <c>--out</c> wrote with C2PA Content Credentials (embedded in a
/// PNG, a sidecar <c>OUT.c2pa</c> for other files), recording the checkpoint's kind and weights SHA-256, the seed and
/// the generation options given on the command line. The key is loaded before sampling, so a bad folder fails fast.
/// </summary>
public sealed class SampleSigning : IDisposable
{
    /// <summary>Options that do not change what is generated, left out of the recorded parameters.</summary>
    private static readonly HashSet<string> NotParameters = ["--sign", "--out", "--device", "--seed", "--stream"];

    private readonly ProvenanceKeys keys;
    private readonly string output;

    private SampleSigning(ProvenanceKeys keys, string output)
    {
        this.keys = keys;
        this.output = output;
    }

    public static Option<string?> Option() =>
        new("--sign") { Description = "Key folder (loom provenance keygen): sign the --out file with C2PA Content Credentials" };

    /// <summary>The signing to do after sampling, or null when <c>--sign</c> is not given.</summary>
    public static SampleSigning? Prepare(ParseResult parse, Option<string?> sign, Option<string> output)
    {
        if (parse.GetValue(sign) is not { } folder) return null;
        var path = parse.GetValue(output) ?? throw new LoomUsageException("--sign: signs the file --out writes; give --out");
        return new SampleSigning(ProvenanceKeys.Load(folder), path);
    }

    /// <summary>Signs the written output and reports the files it wrote.</summary>
    public void Sign(ParseResult parse, string checkpoint, long seed, TextWriter console)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in parse.CommandResult.Children.OfType<OptionResult>())
            if (!option.Implicit && !NotParameters.Contains(option.Option.Name))
                parameters[option.Option.Name.TrimStart('-')] = string.Join(",", option.Tokens.Select(t => t.Value));
        var record = GenerationRecord.ForCheckpoint(checkpoint, seed, parameters);
        foreach (var written in ContentCredentialFiles.Sign(output, output, keys, record))
            console.WriteLine($"signed {written}");
    }

    public void Dispose() => keys.Dispose();
}
