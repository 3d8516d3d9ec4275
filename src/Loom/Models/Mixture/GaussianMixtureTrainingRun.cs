using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.IO.Images;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Mixture;

/// <summary>
/// Fits a Gaussian mixture from a <see cref="GaussianMixtureRecipe"/> on the CPU: by EM (no trainer state, so no
/// resume; cancelling keeps the fit so far), or by minibatch SGD (<see cref="GaussianMixtureSgdRun"/>: checkpoints,
/// exact resume with the recipe saved in run.json). Writes the model with BIC/AIC and the train and held-out mean
/// log-likelihoods in its card, run.json, and samples.png against the data for 2-D data.
/// </summary>
public static class GaussianMixtureTrainingRun
{
    public static TrainingOutcome Train(GaussianMixtureRecipe recipe, TrainingContext context)
    {
        context = context with { Device = CPU };
        var resolved = RecipeResume.WithSaved(recipe, context, GaussianMixtureRecipe.MayChangeOnResume).Resolve();
        bool sgd = resolved.UsesSgd();
        if (context.Resume && !sgd)
            throw LoomUsageException.ForOption("Resume", "only method sgd saves trainer state to resume; an EM fit starts over");
        long seed = resolved.Seed!.Value;
        Seeding.SeedEverything(seed);
        var (x, provenance) = GaussianMixtureData.Load(resolved.Data!, resolved.Points!.Value, seed);
        var (train, heldOut) = GaussianMixtureData.Split(x, resolved.Holdout!.Value, seed);
        var files = new List<string>();
        GaussianMixture model;
        string? notes;
        bool interrupted;
        if (sgd && context.Resume)
            RequireSameData(context.OutputFolder, provenance);
        using var folder = new RunFolder(context);
        folder.SaveRecipe(RecipeJson.ToJson(resolved));
        if (sgd)
        {
            var (fitted, result) = GaussianMixtureSgdRun.Fit(train, heldOut, resolved, folder, provenance, context);
            model = fitted;
            interrupted = result.Interrupted;
            notes = RunFolder.InterruptedNote(interrupted, result.Steps);
            files.Add(Path.Combine(folder.Folder, "loss.png"));
        }
        else
        {
            var options = resolved.ToOptions();
            var progress = new IterationProgress(context.Progress, examplesPerIteration: train.shape[0]);
            long total = (long)options.NInit * options.MaxIter;
            model = GaussianMixture.Fit(train, options,
                progress.Of<EmProgress>(p => ((long)p.Init * options.MaxIter + p.Iteration, total, -p.LowerBound)), context.Cancellation);
            interrupted = context.Cancellation.IsCancellationRequested;
            notes = interrupted ? "interrupted (cancelled) before convergence" : null;
        }
        try
        {
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
            Checkpoint.Save(folder.Folder, model, folder.Card([provenance], seed, metrics, notes));
            if (x.shape[1] == 2)
                files.Add(WriteScatter(model, x, folder.Folder, seed));
            return new TrainingOutcome(model, metrics, interrupted, files);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>A resumed run continues on the data it started on: the hash in the saved card must match.</summary>
    private static void RequireSameData(string folder, DataProvenance provenance)
    {
        if (!File.Exists(Path.Combine(folder, Checkpoint.CardFile)))
            throw LoomUsageException.ForOption("Resume", $"{folder} holds no checkpoint to resume");
        var saved = Checkpoint.ReadCard(folder).Data.FirstOrDefault();
        if (saved?.Sha256 != provenance.Sha256)
            throw LoomDataException.ForOption("Resume", $"the data differs from the run saved in {folder} " +
                                        $"(sha256 {saved?.Sha256?[..12]}… vs {provenance.Sha256?[..12]}…)");
    }

    /// <summary>Writes samples.png: the data and as many samples from the mixture (at most 4000).</summary>
    private static string WriteScatter(GaussianMixture model, Tensor x, string folder, long seed)
    {
        var request = new SampleRequest { Count = (int)Math.Min(x.shape[0], 4000), Seed = seed };
        using var samples = ((TensorSamples)model.Sample(request)).Values;
        var png = Path.Combine(folder, "samples.png");
        Plots.Scatter(png, "gmm: data vs samples", [("data", x), ("samples", samples)]);
        return png;
    }
}
