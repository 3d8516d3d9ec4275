using System.CommandLine;
using Loom.Core;
using Loom.Provenance;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom provenance keygen|sign|verify</c>: C2PA Content Credentials (<see cref="ContentCredentials"/>).
/// <c>keygen --out KEYDIR</c> makes a signing key and self-signed certificate; <c>sign FILE --key KEYDIR --out SIGNED</c>
/// embeds a manifest in a PNG or writes a sidecar <c>SIGNED.c2pa</c> for any other file; <c>verify FILE</c> prints the
/// status and the Loom generation record, exiting 0 when the manifest is intact (trusted or not), 1 otherwise.
/// </summary>
public static class ProvenanceCommand
{
    public static Command Create()
    {
        var command = new Command("provenance", "Sign and verify C2PA Content Credentials (PNG embedded, sidecar .c2pa for other files)");
        command.Subcommands.Add(Keygen());
        command.Subcommands.Add(Sign());
        command.Subcommands.Add(Verify());
        return command;
    }

    private static Command Keygen()
    {
        var output = CliOptions.Out("Folder for the key (signer.key, mode 0600) and certificate (signer.pem)");
        var name = new Option<string>("--name")
        {
            Description = "Common name of the self-signed certificate",
            DefaultValueFactory = _ => "Loom content credentials",
        };
        var days = new Option<int>("--days") { Description = "Days the certificate is valid", DefaultValueFactory = _ => 730 };
        var command = new Command("keygen", "Create an ECDSA P-256 signing key and self-signed C2PA certificate") { output, name, days };
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(output)!;
            using var keys = ProvenanceKeys.Generate(folder, parse.GetValue(name)!, parse.GetValue(days));
            parse.InvocationConfiguration.Output.WriteLine($"wrote {Path.Combine(folder, ProvenanceKeys.CertificateFile)} "
                + $"and {Path.Combine(folder, ProvenanceKeys.PrivateKeyFile)} ({keys.Signer.Subject}, "
                + $"valid until {keys.Signer.NotAfter.ToUniversalTime():yyyy-MM-dd})");
            return 0;
        });
        return command;
    }

    private static Command Sign()
    {
        var file = new Argument<string>("file") { Description = "The PNG or other file to sign" };
        var key = new Option<string>("--key") { Description = "Key folder made by 'loom provenance keygen'", Required = true };
        var output = CliOptions.Out("Signed output (a PNG gets its manifest embedded; other files also get OUT.c2pa)");
        var checkpoint = new Option<string?>("--checkpoint")
        {
            Description = "Checkpoint that generated the file (records its kind and weights SHA-256)",
        };
        var kind = new Option<string?>("--model-kind") { Description = "Model kind to record (instead of --checkpoint)" };
        var weights = new Option<string?>("--weights-sha256")
        {
            Description = "SHA-256 of the model weights to record (instead of --checkpoint)",
        };
        var seed = new Option<long?>("--seed") { Description = "Seed the output was generated with" };
        var parameters = new Option<string[]>("--param")
        {
            Description = "A generation parameter to record, NAME=VALUE (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("sign", "Sign a file with a C2PA manifest recording how Loom generated it")
        {
            file, key, output, checkpoint, kind, weights, seed, parameters,
        };
        command.SetAction(parse =>
        {
            var values = ParseParameters(parse.GetValue(parameters) ?? []);
            var record = parse.GetValue(checkpoint) is { } ckpt
                ? GenerationRecord.ForCheckpoint(ckpt, parse.GetValue(seed), values)
                : new GenerationRecord(
                    parse.GetValue(kind)
                        ?? throw new LoomUsageException("name the model: --checkpoint CKPT, or --model-kind and --weights-sha256"),
                    parse.GetValue(weights) ?? throw new LoomUsageException("--weights-sha256: required with --model-kind"),
                    parse.GetValue(seed), values);
            using var keys = ProvenanceKeys.Load(parse.GetValue(key)!);
            foreach (var written in ContentCredentialFiles.Sign(parse.GetValue(file)!, parse.GetValue(output)!, keys, record))
                parse.InvocationConfiguration.Output.WriteLine($"wrote {written}");
            return 0;
        });
        return command;
    }

    private static Command Verify()
    {
        var file = new Argument<string>("file") { Description = "The PNG, or a file with a sidecar FILE.c2pa" };
        var trust = new Option<string?>("--trust") { Description = "PEM file of trusted certificates (roots or signers)" };
        var command = new Command("verify", "Verify a file's C2PA manifest (exit 0 intact, 1 tampered or unsigned)") { file, trust };
        command.SetAction(parse =>
        {
            var trusted = parse.GetValue(trust) is { } pem ? ContentCredentialFiles.LoadTrustList(pem) : null;
            var report = ContentCredentialFiles.Verify(parse.GetValue(file)!, trusted);
            Print(report, parse.InvocationConfiguration.Output);
            return report.IsIntact ? 0 : 1;
        });
        return command;
    }

    private static void Print(ProvenanceReport report, TextWriter output)
    {
        var status = report.Status switch
        {
            ProvenanceStatus.Valid => "valid",
            ProvenanceStatus.UntrustedSigner => "untrusted-signer",
            ProvenanceStatus.Tampered => $"tampered ({Kebab(report.Evidence.ToString())})",
            _ => "unsigned",
        };
        output.WriteLine($"status     {status}: {report.Detail}");
        if (report.ManifestLabel is { } label) output.WriteLine($"manifest   {label} by {report.ClaimGenerator ?? "?"}");
        if (report.Signer is { } signer) output.WriteLine($"signer     {signer}");
        if (report.Actions.Count > 0) output.WriteLine($"actions    {string.Join(", ", report.Actions)}");
        if (report.Generation is not { } generation) return;
        output.WriteLine($"model      {generation.ModelKind} (weights sha256 {generation.WeightsSha256})");
        if (generation.Seed is { } seed) output.WriteLine($"seed       {seed}");
        if (generation.Parameters.Count > 0)
            output.WriteLine("parameters " + string.Join(" ", generation.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => $"{p.Key}={p.Value}")));
        output.WriteLine($"loom       {generation.LoomVersion}");
    }

    private static Dictionary<string, string> ParseParameters(IEnumerable<string> pairs)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var at = pair.IndexOf('=');
            if (at <= 0) throw new LoomUsageException($"--param: expected NAME=VALUE, got '{pair}'");
            values[pair[..at]] = pair[(at + 1)..];
        }
        return values;
    }

    private static string Kebab(string name) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(name);
}
