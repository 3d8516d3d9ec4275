using System.CommandLine;
using System.Diagnostics;
using Loom.Core;
using Loom.Data;
using Loom.IO.Checkpoints;
using Loom.Models.Latent;
using Loom.Training;
using TorchSharp;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train vae|cvae --data fashion-mnist|moons|FILE.csv …</c>: a variational autoencoder (β-VAE, IWAE with
/// <c>--iwae K</c>; <c>cvae</c> conditions encoder and decoder on the class). <c>--exclude-class K</c> trains on the other
/// classes for anomaly detection. Writes the checkpoint, log.jsonl, loss.png, samples.png, reconstructions.png and
/// held-out ELBO / importance-sampled NLL.
/// </summary>
public static class TrainVaeCommand
{
    public static IEnumerable<Command> Create()
    {
        yield return Build("vae", "Variational autoencoder (MLP or conv, Bernoulli or Gaussian, β-VAE, IWAE)", conditional: false);
        yield return Build("cvae", "Class-conditional VAE: encoder and decoder see the class; sample any class with --class", conditional: true);
    }

    private static Command Build(string name, string description, bool conditional)
    {
        var data = CliOptions.Data($"fashion-mnist, a toy 2-D set ({string.Join(", ", ToyData.Names)}) or a numeric CSV");
        var output = CliOptions.Out("Checkpoint folder to write");
        var network = new Option<string>("--network") { Description = "mlp | conv (28×28 images)", DefaultValueFactory = _ => "mlp" };
        var likelihood = new Option<string?>("--likelihood") { Description = "bernoulli (binarized images; default for images) | gaussian (default for vectors)" };
        var latent = new Option<int>("--latent-dim") { Description = "Latent dimensions", DefaultValueFactory = _ => 16 };
        var hidden = new Option<int?>("--hidden") { Description = "Hidden width (default 400 for images, 128 for vectors)" };
        var layers = new Option<int>("--layers") { Description = "Hidden layers in encoder and decoder (MLP)", DefaultValueFactory = _ => 2 };
        var baseChannels = new Option<int>("--base-channels") { Description = "Conv channels at 14×14 (conv network)", DefaultValueFactory = _ => 32 };
        var resBlocks = new Option<int>("--res-blocks") { Description = "Residual blocks at 7×7 (encoder, decoder) and 14×14 (decoder) (conv network)", DefaultValueFactory = _ => 0 };
        var beta = new Option<double>("--beta") { Description = "KL weight (β-VAE); 1 = ELBO", DefaultValueFactory = _ => 1.0 };
        var iwae = new Option<int>("--iwae") { Description = "Train on the IWAE bound with K importance samples (1 = ELBO)", DefaultValueFactory = _ => 1 };
        var klWarmup = new Option<long>("--kl-warmup") { Description = "Ramp β from 0 over N steps", DefaultValueFactory = _ => 0 };
        var adversarial = new Option<double>("--adversarial")
        {
            Description = "VAE-GAN: weight λ of a discriminator's loss on the reconstructions (sharper decoder means; 28×28 images); 0 = off",
            DefaultValueFactory = _ => 0,
        };
        var adversaryLr = new Option<double>("--adversary-lr") { Description = "Learning rate of the VAE-GAN discriminator (Adam, β₁ 0)", DefaultValueFactory = _ => 4e-4 };
        var steps = new Option<long>("--steps") { Description = "Optimizer steps", DefaultValueFactory = _ => 5000 };
        var batchSize = new Option<int>("--batch-size") { Description = "Examples per step", DefaultValueFactory = _ => 128 };
        var lr = new Option<double>("--lr") { Description = "Learning rate (AdamW)", DefaultValueFactory = _ => 1e-3 };
        var warmup = new Option<long>("--warmup") { Description = "Linear learning-rate warmup steps", DefaultValueFactory = _ => 100 };
        var classes = new Option<string?>("--classes") { Description = "Train only on these Fashion-MNIST classes, e.g. 0,5,7" };
        var exclude = new Option<int?>("--exclude-class") { Description = "Train on every Fashion-MNIST class but K (anomaly detection)" };
        var latentPrior = new Option<string>("--latent-prior")
        {
            Description = "Prior to sample from: normal (N(0, I)) | gmm (after training, fit a Gaussian mixture per class to the training set's posterior means)",
            DefaultValueFactory = _ => "normal",
        };
        var priorComponents = new Option<int>("--prior-components") { Description = "Components of the gmm latent prior (per class for cvae)", DefaultValueFactory = _ => 10 };
        var evalK = new Option<int>("--eval-k") { Description = "Importance samples for the held-out NLL (0 = ELBO only)", DefaultValueFactory = _ => 100 };
        var evalN = new Option<int>("--eval-n") { Description = "Held-out examples to evaluate", DefaultValueFactory = _ => 1000 };
        var points = new Option<int>("--points") { Description = "Points to draw for a toy data set", DefaultValueFactory = _ => 20000 };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "Save every N steps (0 = at the end and on Ctrl-C)", DefaultValueFactory = _ => 1000 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run saved in --out from its last checkpoint" };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var command = new Command(name, description)
        {
            data, output, network, likelihood, latent, hidden, layers, baseChannels, resBlocks, beta, iwae, klWarmup, adversarial, adversaryLr, steps, batchSize, lr, warmup, classes, exclude,
            latentPrior, priorComponents, evalK, evalN, points, checkpointEvery, resume, seed, device,
        };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            long seedValue = parse.GetValue(seed);
            Seeding.SeedEverything(seedValue);
            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            bool resuming = parse.GetValue(resume);
            var subset = TrainClasses(parse.GetValue(classes), parse.GetValue(exclude));
            var dataSpec = parse.GetValue(data)!;
            using var loaded = TrainingData.Load(dataSpec, new DataLoadOptions { Classes = subset, Points = CliOptions.Positive(parse, points), Seed = seedValue });
            if (conditional && loaded.Labels is null)
                throw new LoomUsageException($"cvae: --data {dataSpec} has no class labels (only fashion-mnist has)");
            var config = new VaeConfig
            {
                Network = parse.GetValue(network)!.Trim().ToLowerInvariant(),
                Likelihood = parse.GetValue(likelihood) is { } l ? VaeConfig.ParseLikelihood(l) : loaded.Images ? VaeLikelihood.Bernoulli : VaeLikelihood.Gaussian,
                LatentDim = parse.GetValue(latent),
                Hidden = parse.GetValue(hidden) ?? (loaded.Images ? 400 : 128),
                Layers = parse.GetValue(layers),
                BaseChannels = parse.GetValue(baseChannels),
                ResBlocks = parse.GetValue(resBlocks),
                Beta = parse.GetValue(beta),
                TrainSamples = parse.GetValue(iwae),
                SampleShape = loaded.SampleShape,
                Images = loaded.Images,
                ClassNames = conditional ? loaded.ClassNames : [],
                DataName = loaded.Name,
                TrainClasses = subset,
            };
            if (config.TrainSamples > 1 && config.Beta != 1)
                throw new LoomUsageException("--iwae: the IWAE bound has no KL term to weight; leave --beta at 1");
            if (resuming && File.Exists(Path.Combine(outDir, Checkpoint.ConfigFile)))
                config = VaeConfig.FromJson(Checkpoint.ReadConfig(outDir).Config);
            config.Validate();
            var options = new VaeTrainingOptions
            {
                Steps = parse.GetValue(steps), BatchSize = parse.GetValue(batchSize), LearningRate = parse.GetValue(lr), Warmup = parse.GetValue(warmup),
                KlWarmup = parse.GetValue(klWarmup), Adversarial = parse.GetValue(adversarial), AdversaryLearningRate = parse.GetValue(adversaryLr), Seed = seedValue, CheckpointEvery = parse.GetValue(checkpointEvery),
            };
            options.Validate();
            if (options.Adversarial > 0 && config.TrainSamples > 1)
                throw new LoomUsageException("--adversarial: works with the ELBO; leave --iwae at 1");
            if (options.Adversarial > 0) VaeAdversary.Check(config);
            var priorOptions = ParseLatentPrior(parse.GetValue(latentPrior)!, parse.GetValue(priorComponents), seedValue);
            int k = parse.GetValue(evalK);
            if (k < 0) throw new LoomUsageException($"--eval-k: must be non-negative, got {k}");
            var targetDevice = DeviceSelector.Parse(parse.GetValue(device));
            var module = new VariationalAutoencoder(config);
            module.to(targetDevice);
            using var model = new VaeModel(module);
            long parameters = module.parameters().Sum(p => p.numel());
            console.WriteLine($"{name}: {config.Network} encoder/decoder, {config.Likelihood.ToString().ToLowerInvariant()} likelihood, latent {config.LatentDim}, "
                + $"{parameters:N0} parameters, {loaded.Count:N0} training examples of [{string.Join(", ", loaded.SampleShape)}]"
                + (config.TrainSamples > 1 ? $", IWAE k={config.TrainSamples}" : config.Beta != 1 ? $", β={config.Beta}" : "") + $", device {targetDevice}");

            var run = new VaeRun(model, loaded, options, outDir, resuming, targetDevice.ToString());
            var watch = Stopwatch.StartNew();
            var result = run.Train();
            var metrics = new Dictionary<string, double> { ["parameters"] = parameters, ["steps"] = result.Steps, ["train_seconds"] = watch.Elapsed.TotalSeconds, ["final_loss"] = result.LastLoss };
            if (run.SkippedSteps > 0) metrics["skipped_steps"] = run.SkippedSteps;
            TrainingData? heldOut = null;
            if (!result.Interrupted)
            {
                // Held out: the test split for images, fresh points (seed + 1) for a toy set; a CSV has no split, so its metrics are on training rows.
                heldOut = loaded.Images ? TrainingData.Load(dataSpec, new DataLoadOptions { Split = FashionMnistSplit.Test, Classes = subset })
                    : ToyData.IsToy(dataSpec) && !File.Exists(dataSpec) ? TrainingData.Load(dataSpec, new DataLoadOptions { Points = 5000, Seed = seedValue + 1 }) : null;
                var evaluated = VaeRun.Evaluate(model, heldOut ?? loaded, CliOptions.Positive(parse, evalN), k, seedValue);
                foreach (var (key, value) in evaluated) metrics[heldOut is null ? key.Replace("test_", "train_") : key] = value;
                if (priorOptions is not null)
                {
                    var fitWatch = Stopwatch.StartNew();
                    model.FitLatentPrior(loaded.Examples, loaded.Labels, priorOptions);
                    metrics["latent_prior_fit_seconds"] = fitWatch.Elapsed.TotalSeconds;
                    console.WriteLine($"{name}: fitted a {priorOptions.Components}-component latent mixture"
                        + (model.NumClasses > 0 ? $" per class ({model.NumClasses})" : "") + $" to the training set's posterior means in {fitWatch.Elapsed.TotalSeconds:F1} s");
                }
            }
            string? notes = result.Interrupted ? $"interrupted (Ctrl-C or SIGTERM) at step {result.Steps}; continue with --resume" : null;
            CheckpointWriter.Save(outDir, model, [loaded.Provenance], seedValue, targetDevice.ToString(), metrics, console, notes);
            if (!result.Interrupted)
                foreach (var path in VaeRun.WritePreviews(model, loaded, heldOut, outDir, seedValue))
                    console.WriteLine($"  wrote                    {path}");
            heldOut?.Dispose();
            return 0;
        });
        return command;
    }

    /// <summary>Options for fitting the sampling prior after training, or null for N(0, I).</summary>
    private static LatentPriorOptions? ParseLatentPrior(string kind, int components, long seed)
    {
        if (components < 1) throw new LoomUsageException($"--prior-components: must be at least 1, got {components}");
        return kind.Trim().ToLowerInvariant() switch
        {
            "normal" => null,
            "gmm" => new LatentPriorOptions { Components = components, Seed = seed },
            _ => throw new LoomUsageException($"--latent-prior: expected normal or gmm, got '{kind}'"),
        };
    }

    /// <summary>The Fashion-MNIST classes to train on: --classes, or all but --exclude-class, or all (empty).</summary>
    private static int[] TrainClasses(string? classes, int? exclude)
    {
        if (classes is not null && exclude is not null)
            throw new LoomUsageException("--classes and --exclude-class: give one or the other");
        if (exclude is { } held)
        {
            if (held < 0 || held >= FashionMnist.ClassNames.Count)
                throw new LoomUsageException($"--exclude-class: must be in 0..{FashionMnist.ClassNames.Count - 1}, got {held}");
            return Enumerable.Range(0, FashionMnist.ClassNames.Count).Where(c => c != held).ToArray();
        }
        return classes is null ? [] : [.. FashionMnistClasses.ParseList(classes).Order()];
    }
}
