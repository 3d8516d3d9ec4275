using System.CommandLine;
using System.Globalization;
using System.Text;
using Loom.Core;
using Loom.Data;
using Loom.Evaluation.Anomaly;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Latent;
using TorchSharp;

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
            var kind = VaeAnomalyScores.Parse(parse.GetValue(score)!);
            int samples = CliOptions.Positive(parse, k);
            using var loaded = Checkpoint.Load(parse.GetValue(checkpoint)!, DeviceSelector.Parse(parse.GetValue(device)));
            if (loaded.GetService<IVariationalAutoencoder>() is not { } model)
                throw new LoomUsageException($"anomaly: needs a vae checkpoint, got a '{loaded.Kind}' model");
            if (model.NumClasses > 0)
                throw new LoomUsageException("anomaly: a conditional VAE needs the class of each example; train an unconditional vae (loom "
                    + "train vae --exclude-class K)");
            var spec = parse.GetValue(data)!;
            using var set = TrainingData.Load(spec, new DataLoadOptions { Split = FashionMnist.ParseSplit(parse.GetValue(split)!) });
            if (!set.SampleShape.SequenceEqual(model.Config.SampleShape))
                throw new LoomUsageException($"--data: examples of shape [{string.Join(", ", set.SampleShape)}] but the model takes "
                    + $"[{string.Join(", ", model.Config.SampleShape)}]");
            using var scope = torch.NewDisposeScope();
            long n = parse.GetValue(limit) is { } l ? Math.Clamp(l, 1, set.Count) : set.Count;
            var examples = set.Examples.narrow(0, 0, n);
            var scores = model.AnomalyScores(examples, null, kind, parse.GetValue(seed), samples).data<double>().ToArray();
            long[]? labels = set.Labels?.narrow(0, 0, n).data<long>().ToArray();

            var csv = new StringBuilder("index,label,score\n");
            for (int i = 0; i < scores.Length; i++)
                csv.Append(CultureInfo.InvariantCulture,
                    $"{i},{(labels is null ? "" : labels[i].ToString(CultureInfo.InvariantCulture))},{scores[i]:R}\n");
            var target = parse.GetValue(output);
            var summary = target is null ? Console.Error : console;
            if (target is null) console.Write(csv.ToString());
            else AtomicFile.WriteAllText(target, csv.ToString());
            summary.WriteLine(
                $"scored {scores.Length} examples of {set.Name} with {kind.ToString().ToLowerInvariant()} (higher = more anomalous)"
                + (target is null ? "" : $"; wrote {target}"));
            if (labels is not null && model.Config.TrainClasses.Count > 0)
            {
                var normal = model.Config.TrainClasses.ToHashSet();
                foreach (var r in AnomalyDetection.ByClass(scores, labels, normal, set.ClassNames))
                    summary.WriteLine($"  held-out {r.Name,-14} AUROC {r.Auroc:F4}  ({r.Anomalies} anomalies vs {r.Normals} normal; mean "
                        + $"score {r.MeanAnomalyScore:F1} vs {r.MeanNormalScore:F1})");
            }
            else if (labels is not null)
                summary.WriteLine("  (the model was trained on every class; train with --exclude-class K to measure AUROC)");
            return 0;
        });
        return command;
    }
}
