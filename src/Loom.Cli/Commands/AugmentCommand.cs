using System.CommandLine;
using Loom.Evaluation.Augmentation;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom augment --generator CKPT [--per-class 100] [--ratios 0,0.5,1,2] [--seeds 3] [--out REPORT.md]</c>: does
/// class-conditional synthetic data help a small Fashion-MNIST classifier? (<see cref="AugmentationStudy"/>). Each flag is
/// one <see cref="AugmentationStudyOptions"/> property.
/// </summary>
public static class AugmentCommand
{
    public static Command Create()
    {
        var defaults = new AugmentationStudyOptions();
        var generator = new Option<string>("--generator")
        {
            Description = "Checkpoint of a class-conditional Fashion-MNIST generator (cvae, cgan, conditional diffusion)", Required = true,
        };
        var perClass = new Option<int>("--per-class")
        {
            Description = "Labelled real training images per class", DefaultValueFactory = _ => defaults.PerClass
        };
        var ratios = new Option<string>("--ratios")
        {
            Description = "Synthetic images per real image, comma-separated (0 = real only, the baseline)",
            DefaultValueFactory = _ =>
                string.Join(",", defaults.Ratios.Select(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        };
        var seeds = new Option<int>("--seeds")
        {
            Description = "Seeds per ratio (seed, seed + 1, …)", DefaultValueFactory = _ => defaults.Seeds
        };
        var epochs = new Option<int>("--epochs")
        {
            Description = "Classifier budget in passes over the real subset (every ratio trains the same number of steps)",
            DefaultValueFactory = _ => defaults.Epochs,
        };
        var lr = new Option<double>("--lr")
        {
            Description = "Classifier's peak AdamW learning rate", DefaultValueFactory = _ => defaults.LearningRate
        };
        var batchSize = new Option<int>("--batch-size")
        {
            Description = "Images per classifier step", DefaultValueFactory = _ => defaults.BatchSize
        };
        var testSize = new Option<int>("--test-size")
        {
            Description = "Test images to measure on (the first N; 0 = all 10,000)", DefaultValueFactory = _ => defaults.TestSize
        };
        var temperature = new Option<double>("--temperature")
        {
            Description = "Generator's latent noise scale (VAE, GAN; diffusion takes only 1)",
            DefaultValueFactory = _ => defaults.Temperature,
        };
        var folder = new Option<string?>("--data-folder")
        {
            Description = "Folder with the four Fashion-MNIST IDX files (default: the usual search paths)"
        };
        var seed = CliOptions.Seed();
        var output = CliOptions.Out("Report to write: Markdown (REPORT.md, plus REPORT.json beside it) or JSON (*.json)", required: false);
        var command = new Command("augment",
            "Does class-conditional synthetic data help a small Fashion-MNIST classifier? Test accuracy with ± across seeds")
        {
            generator, perClass, ratios, seeds, epochs, lr, batchSize, testSize, temperature, folder, seed, output,
        };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var options = new AugmentationStudyOptions
            {
                Generator = parse.GetValue(generator)!, PerClass = parse.GetValue(perClass),
                Ratios = AugmentationStudyOptions.ParseRatios(parse.GetValue(ratios)!), Seeds = parse.GetValue(seeds),
                Epochs = parse.GetValue(epochs), LearningRate = parse.GetValue(lr), BatchSize = parse.GetValue(batchSize),
                TestSize = parse.GetValue(testSize), Temperature = parse.GetValue(temperature), DataFolder = parse.GetValue(folder),
                Seed = parse.GetValue(seed),
            };
            options.Validate();
            using var progress = new ConsoleProgress("augment", Console.Error);
            var reporter = new SynchronousProgress<AugmentationProgress>(p => progress.Report(p.Done, p.Total, p.Status));
            var result = AugmentationStudy.RunAsync(options, reporter, CliContext.Cancellation).GetAwaiter().GetResult();
            progress.Dispose();
            console.Write(AugmentationReport.ToMarkdown(result));
            if (parse.GetValue(output) is { } path)
            {
                AugmentationReport.Save(result, path);
                var written = new List<string> { path };
                if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                {
                    written.Add(Path.ChangeExtension(path, ".json"));
                    AugmentationReport.Save(result, written[1]);
                }
                console.WriteLine($"wrote {string.Join(" and ", written)}");
            }
            return 0;
        });
        return command;
    }
}
