using System.CommandLine;
using Loom.Core;
using Loom.Evaluation.Audit;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom audit CKPT --data DATA --out DIR</c>: one report on a checkpoint's provenance, differential-privacy guarantee,
/// memorization and membership inference, and representation (<see cref="ModelAudit"/>).
/// </summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var checkpoint = CliOptions.Checkpoint();
        var data = CliOptions.Data("Real data to compare with: fashion-mnist, a toy set, a numeric CSV, or the training text");
        var output = CliOptions.Out("Folder for audit.html, audit.json and the evaluation figures");
        var defaults = new AuditOptions();
        var samples = new Option<int>("--samples")
        {
            Description = "Samples to draw from the model", DefaultValueFactory = _ => defaults.Samples
        };
        var copyNGram = new Option<int>("--copy-ngram")
        {
            Description = "Word n-gram length counted as a verbatim copy of the training text",
            DefaultValueFactory = _ => defaults.CopyNGram
        };
        var wordLists = new Option<string?>("--word-lists")
        {
            Description = "JSON word lists for the text representation audit: {\"attributes\": {…}, \"targets\": {…}}"
        };
        var window = new Option<int>("--window-words")
        {
            Description = "Words per co-occurrence window (text)", DefaultValueFactory = _ => defaults.WindowWords
        };
        var seed = CliOptions.Seed();
        var command = new Command("audit", "Audit a checkpoint: provenance, privacy, memorization, membership inference, representation")
        {
            checkpoint, data, output, samples, copyNGram, wordLists, window, seed,
        };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var options = new AuditOptions
            {
                Data = parse.GetValue(data)!, Samples = parse.GetValue(samples), CopyNGram = parse.GetValue(copyNGram),
                WindowWords = parse.GetValue(window), Seed = parse.GetValue(seed),
                WordLists = parse.GetValue(wordLists) is { } lists ? AttributeWordLists.Load(lists) : null,
            };
            Seeding.SeedEverything(options.Seed);
            using var progress = new ConsoleProgress("audit", Console.Error);
            int step = 0;
            var reporter = new SynchronousProgress<string>(message => progress.Report(Math.Min(step++, 3), 3, message));
            var folder = parse.GetValue(output)!;
            var report = ModelAudit.Run(parse.GetValue(checkpoint)!, options, folder, reporter, CliContext.Cancellation);
            foreach (var section in report.Sections)
                console.WriteLine($"{section.Title}: {section.Finding}");
            console.WriteLine($"wrote {Path.Combine(folder, "audit.html")} and {Path.Combine(folder, "audit.json")}");
            return 0;
        });
        return command;
    }
}
