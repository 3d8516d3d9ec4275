using System.CommandLine;
using Loom.Core;
using Loom.Data;
using Loom.Evaluation.Anomaly;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models.Latent;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom anomaly CKPT --data fashion-mnist|FILE.csv</c>: per-example anomaly scores of a VAE (higher = less like the
/// training data) as CSV (index, label, score). When the model was trained on a subset of the classes
/// (<c>--exclude-class</c>), also reports the AUROC of each class it never saw against the classes it did.
/// </summary>
public static class AnomalyCommand
{
    public static Command Create()
    {
        var checkpoint = CliOptions.Checkpoint();
        var data = CliOptions.Data("fashion-mnist (see --split) or a numeric CSV for a vector model");
        var split = new Option<string>("--split") { Description = "Fashion-MNIST split: test | train", DefaultValueFactory = _ => "test" };
        var score = new Option<string>("--score") { Description = "elbo | reconstruction | nll", DefaultValueFactory = _ => "elbo" };
        var k = new Option<int>("--k") { Description = "Importance samples for --score nll", DefaultValueFactory = _ => 100 };
        var limit = new Option<int?>("--n") { Description = "Score only the first N examples" };
        var output = CliOptions.Out("CSV of index,label,score; omit to print the scores", required: false);
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var command = new Command("anomaly", "Score examples for anomaly detection with a VAE; AUROC per held-out class")
        {
            checkpoint, data, split, score, k, limit, output, seed, device,
        };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var options = new AnomalyScoringOptions
            {
                Score = VaeAnomalyScores.Parse(parse.GetValue(score)!), K = parse.GetValue(k), Count = parse.GetValue(limit),
                Seed = parse.GetValue(seed),
            };
            using var model = Checkpoint.Load(parse.GetValue(checkpoint)!, DeviceSelector.Parse(parse.GetValue(device)));
            using var set = TrainingData.Load(parse.GetValue(data)!,
                new DataLoadOptions { Split = FashionMnist.ParseSplit(parse.GetValue(split)!) });
            var report = AnomalyScoring.Score(model, set, options);
            var target = parse.GetValue(output);
            var summary = target is null ? Console.Error : console;
            if (target is null) console.Write(report.ToCsv());
            else AtomicFile.WriteAllText(target, report.ToCsv());
            summary.WriteLine(
                $"scored {report.Scores.Count} examples of {report.DataName} with {report.Kind.ToString().ToLowerInvariant()} "
                + "(higher = more anomalous)" + (target is null ? "" : $"; wrote {target}"));
            foreach (var r in report.HeldOutClasses)
                summary.WriteLine($"  held-out {r.Name,-14} AUROC {r.Auroc:F4}  ({r.Anomalies} anomalies vs {r.Normals} normal; mean "
                    + $"score {r.MeanAnomalyScore:F1} vs {r.MeanNormalScore:F1})");
            if (report.Labels is not null && report.TrainedOnEveryClass)
                summary.WriteLine("  (the model was trained on every class; train with --exclude-class K to measure AUROC)");
            return 0;
        });
        return command;
    }
}
