using System.CommandLine;
using Loom.Core;
using Loom.Data;
using Loom.IO;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Models;
using Loom.Models.Mixture;
using Loom.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Loom.Cli.Commands.Train;

/// <summary><c>loom train gmm</c>: Gaussian mixture by EM on a numeric CSV or a toy 2-D set.</summary>
public static class TrainGmmCommand
{
    public static IEnumerable<Command> Create()
    {
        var data = CliOptions.Data($"Numeric CSV (one sample per row) or a toy set: {string.Join(", ", ToyData.Names)}");
        var output = CliOptions.Out("Checkpoint folder to write");
        var components = new Option<int>("--components", "-k") { Description = "Number of mixture components", DefaultValueFactory = _ => 8 };
        var covariance = new Option<string>("--covariance") { Description = "full | tied | diag | spherical", DefaultValueFactory = _ => "full" };
        var maxIter = new Option<int>("--max-iter") { Description = "EM iterations at most", DefaultValueFactory = _ => 100 };
        var tol = new Option<double>("--tol") { Description = "Stop when the mean log-likelihood changes by less", DefaultValueFactory = _ => 1e-3 };
        var regCovar = new Option<double>("--reg-covar") { Description = "Added to covariance diagonals", DefaultValueFactory = _ => 1e-6 };
        var nInit = new Option<int>("--n-init") { Description = "Restarts; the best is kept", DefaultValueFactory = _ => 1 };
        var init = new Option<string>("--init") { Description = "kmeans | k-means++ | random | random-from-data", DefaultValueFactory = _ => "kmeans" };
        var points = new Option<int>("--points") { Description = "Points to generate for a toy set", DefaultValueFactory = _ => 4000 };
        var holdout = new Option<double>("--holdout") { Description = "Fraction held out to report held-out log-likelihood", DefaultValueFactory = _ => 0.1 };
        var seed = CliOptions.Seed();
        var method = new Option<string>("--method") { Description = "em (expectation-maximisation) | sgd (minibatch AdamW through the trainer; full covariance)", DefaultValueFactory = _ => "em" };
        var steps = new Option<long>("--steps") { Description = "sgd: optimizer steps", DefaultValueFactory = _ => 2000 };
        var batchSize = new Option<int>("--batch-size") { Description = "sgd: points per step", DefaultValueFactory = _ => 256 };
        var lr = new Option<double>("--lr") { Description = "sgd: peak learning rate", DefaultValueFactory = _ => 1e-2 };
        var schedule = new Option<string>("--schedule") { Description = "sgd: constant | cosine | linear (to lr/10)", DefaultValueFactory = _ => "cosine" };
        var warmup = new Option<long>("--warmup") { Description = "sgd: linear warmup steps", DefaultValueFactory = _ => 100 };
        var ema = new Option<double?>("--ema") { Description = "sgd: EMA decay of the weights used for the saved model (off when omitted)" };
        var checkpointEvery = new Option<long>("--checkpoint-every") { Description = "sgd: save every N steps (0 = at the end and on Ctrl-C)", DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "sgd: continue the run saved in --out from its last checkpoint" };
        var command = new Command("gmm", "Gaussian mixture fitted by EM, or by minibatch gradient descent with --method sgd")
            { data, output, components, covariance, maxIter, tol, regCovar, nInit, init, points, holdout, seed, method, steps, batchSize, lr, schedule, warmup, ema, checkpointEvery, resume };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            long seedValue = parse.GetValue(seed);
            Seeding.SeedEverything(seedValue);
            var (x, provenance) = LoadTable(parse.GetValue(data)!, parse.GetValue(points), seedValue);
            double holdoutFraction = parse.GetValue(holdout);
            if (holdoutFraction is < 0 or >= 0.9)
                throw new LoomUsageException($"--holdout: must be in [0, 0.9), got {holdoutFraction}");
            var (train, heldOut) = Split(x, holdoutFraction, seedValue);
            var options = new GaussianMixtureOptions
            {
                Components = parse.GetValue(components),
                CovarianceType = CovarianceTypes.Parse(parse.GetValue(covariance)!),
                MaxIter = parse.GetValue(maxIter),
                Tol = parse.GetValue(tol),
                RegCovar = parse.GetValue(regCovar),
                NInit = parse.GetValue(nInit),
                Init = ParseInit(parse.GetValue(init)!),
                Seed = seedValue,
            };
            var outDir = parse.GetValue(output)!;
            string? notes = null;
            GaussianMixture model;
            switch (parse.GetValue(method)!.Trim().ToLowerInvariant())
            {
                case "em":
                {
                    using var progress = new ConsoleProgress("gmm EM", Console.Error);
                    var reporter = new SynchronousProgress<EmProgress>(p => progress.Report(p.Iteration, p.MaxIter, $"init {p.Init + 1}/{options.NInit} loglik {p.LowerBound:F5} change {p.Change:E2}"));
                    model = GaussianMixture.Fit(train, options, reporter, CliContext.Cancellation);
                    if (CliContext.Cancellation.IsCancellationRequested) notes = "interrupted (Ctrl-C or SIGTERM) before convergence";
                    break;
                }
                case "sgd":
                {
                    var settings = new GmmSgdSettings(parse.GetValue(steps), parse.GetValue(batchSize), parse.GetValue(lr),
                        LearningRateSchedule.ParseKind(parse.GetValue(schedule)!), parse.GetValue(warmup), parse.GetValue(ema), parse.GetValue(checkpointEvery), parse.GetValue(resume));
                    if (settings.Resume)
                        RequireSameData(outDir, provenance);
                    var (fitted, result) = GmmSgdTraining.Run(train, heldOut, options, settings, outDir, (snapshot, state, step) =>
                    {
                        Checkpoint.Save(outDir, snapshot, new ModelCard { Data = [provenance], CommandLine = CliContext.CommandLine, Seed = seedValue, Device = "cpu",
                            Metrics = new Dictionary<string, double> { ["step"] = step } }, state);
                        return true;
                    });
                    model = fitted;
                    notes = result.Interrupted ? $"interrupted (Ctrl-C or SIGTERM) at step {result.Steps}; continue with --resume" : null;
                    break;
                }
                default:
                    throw new LoomUsageException($"--method: '{parse.GetValue(method)}' is not a method; use em or sgd");
            }
            using var disposeModel = model;
            var metrics = new Dictionary<string, double>
            {
                ["train_mean_log_likelihood"] = model.MeanLogLikelihood(train),
                ["bic"] = model.Bic(train),
                ["aic"] = model.Aic(train),
                ["n_iter"] = model.FitInfo.Iterations,
                ["converged"] = model.FitInfo.Converged ? 1 : 0,
            };
            if (heldOut is not null)
                metrics["heldout_mean_log_likelihood"] = model.MeanLogLikelihood(heldOut);
            CheckpointWriter.Save(outDir, model, [provenance], seedValue, "cpu", metrics, console, notes);
            if (x.shape[1] == 2)
            {
                using var samples = ((TensorSamples)model.Sample(new SampleRequest { Count = (int)Math.Min(x.shape[0], 4000), Seed = seedValue })).Values;
                var png = Path.Combine(outDir, "samples.png");
                Plots.Scatter(png, "gmm: data vs samples", [("data", x), ("samples", samples)]);
                console.WriteLine($"  plot                     {png}");
            }
            return 0;
        });
        yield return command;
    }

    /// <summary>A numeric CSV or a generated toy set, with its provenance (file hash, or a hash of the generated values).</summary>
    public static (Tensor X, DataProvenance Provenance) LoadTable(string spec, int points, long seed)
    {
        if (!File.Exists(spec) && ToyData.IsToy(spec))
        {
            var x = ToyData.Generate(spec, points, seed);
            var hash = FileHash.Sha256(x.contiguous().bytes);
            return (x, new DataProvenance($"toy:{spec.ToLowerInvariant()} points={points} seed={seed}", hash, x.numel() * 8));
        }
        if (!File.Exists(spec))
            throw new LoomDataException($"{spec}: no such file and not a toy set ({string.Join(", ", ToyData.Names)})");
        return (NumericCsv.ReadMatrix(spec), DataProvenance.OfFile(spec));
    }

    private static void RequireSameData(string outDir, DataProvenance provenance)
    {
        if (!File.Exists(Path.Combine(outDir, Checkpoint.CardFile)))
            throw new LoomUsageException($"--resume: {outDir} holds no checkpoint to resume");
        var saved = Checkpoint.ReadCard(outDir).Data.FirstOrDefault();
        if (saved?.Sha256 != provenance.Sha256)
            throw new LoomDataException($"--resume: the data differs from the run saved in {outDir} (sha256 {saved?.Sha256?[..12]}… vs {provenance.Sha256?[..12]}…)");
    }

    private static (Tensor Train, Tensor? HeldOut) Split(Tensor x, double fraction, long seed)
    {
        long n = x.shape[0];
        long held = (long)Math.Floor(n * fraction);
        if (held == 0)
            return (x, null);
        var order = torch.randperm(n, generator: Seeding.Generator(seed, "holdout"));
        return (x.index_select(0, order.narrow(0, held, n - held)), x.index_select(0, order.narrow(0, 0, held)));
    }

    private static MixtureInit ParseInit(string text) => text.Trim().ToLowerInvariant() switch
    {
        "kmeans" or "k-means" => MixtureInit.KMeans,
        "k-means++" or "kmeans++" => MixtureInit.KMeansPlusPlus,
        "random" => MixtureInit.Random,
        "random-from-data" or "random_from_data" => MixtureInit.RandomFromData,
        _ => throw new LoomUsageException($"--init: '{text}' is not an init; use kmeans, k-means++, random or random-from-data"),
    };
}
