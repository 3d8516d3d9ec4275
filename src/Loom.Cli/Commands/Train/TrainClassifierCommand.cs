using System.CommandLine;
using Loom.Data;
using Loom.Evaluation.Reference;
using Loom.IO.Checkpoints;
using Loom.Training;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train fmnist-classifier</c>: trains the Fashion-MNIST reference network of the evaluation suite. The
/// committed weights under <c>assets/reference/fmnist-classifier</c> came from the defaults with <c>--seed 0</c>.
/// </summary>
public static class TrainClassifierCommand
{
    public static IEnumerable<Command> Create()
    {
        var output = CliOptions.Out("Folder to write model.safetensors, card.json, log.jsonl and loss.png to");
        var epochs = new Option<int>("--epochs")
        {
            Description = "Passes over the training set", DefaultValueFactory = _ => new ClassifierTrainingOptions().Epochs
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Images per step", DefaultValueFactory = _ => new ClassifierTrainingOptions().BatchSize
        };
        var lr = new Option<double>("--lr")
        {
            Description = "Peak AdamW learning rate", DefaultValueFactory = _ => new ClassifierTrainingOptions().LearningRate
        };
        var limit = new Option<int>("--train-limit")
        {
            Description = "Train on the first N images only (0 = all 60,000)", DefaultValueFactory = _ => 0
        };
        var folder = new Option<string?>("--data-folder")
        {
            Description = "Folder with the four Fashion-MNIST IDX files (default: the usual search paths)"
        };
        var seed = CliOptions.Seed();
        var command =
            new Command("fmnist-classifier", "The Fashion-MNIST reference CNN behind FID-FMNIST, KID-FMNIST and the classifier score")
            { output, epochs, batchSize, lr, limit, folder, seed };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var options = new ClassifierTrainingOptions
            {
                Epochs = CliOptions.Positive(parse, epochs),
                BatchSize = CliOptions.Positive(parse, batchSize),
                LearningRate = CliOptions.PositiveDouble(parse, lr),
                TrainLimit = Math.Max(0, parse.GetValue(limit)),
                Seed = parse.GetValue(seed),
            };
            var outDir = parse.GetValue(output)!;
            using var train = FashionMnist.Load(FashionMnistSplit.Train, parse.GetValue(folder));
            using var test = FashionMnist.Load(FashionMnistSplit.Test, parse.GetValue(folder));
            Directory.CreateDirectory(outDir);
            var log = new MetricsLog(Path.Combine(outDir, Checkpoint.LogFile));
            using var progress = new ConsoleProgress("fmnist-classifier", Console.Error);
            var (classifier, result) =
                FashionMnistClassifierTraining.Train(train, options, log, new TrainingProgressAdapter(progress), CliContext.Cancellation);
            using (classifier)
            {
                double accuracy = classifier.Accuracy(test.Images, test.Labels);
                var provenance = new[] { FashionMnistSplit.Train, FashionMnistSplit.Test }
                    .Select(s => DataProvenance.OfFile(Path.Combine(train.Folder, FashionMnist.FileNames(s).Images))).ToList();
                var card = new ModelCard
                {
                    Data = provenance,
                    CommandLine = CliContext.CommandLine,
                    Seed = options.Seed,
                    Device = "cpu",
                    Metrics = new Dictionary<string, double>
                    {
                        ["test_accuracy"] = accuracy, ["steps"] = result.Steps, ["final_loss"] = result.LastLoss
                    },
                    Notes = result.Interrupted ? $"interrupted at step {result.Steps}; not fully trained" : null,
                };
                classifier.Save(outDir, card);
                log.WriteLossCurve(Path.Combine(outDir, "loss.png"), "fmnist-classifier: cross-entropy");
                console.WriteLine($"test accuracy {accuracy:P2} after {result.Steps} steps; wrote {outDir} (sha256 {classifier.Sha256})");
            }
            return 0;
        });
        yield return command;
    }
}
