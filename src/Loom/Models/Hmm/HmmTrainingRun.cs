using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Training.Runs;
using static TorchSharp.torch;

namespace Loom.Models.Hmm;

/// <summary>
/// Fits a hidden Markov model by Baum-Welch from an <see cref="HmmRecipe"/> on the CPU (the recursions are many tiny
/// steps): progress per EM iteration (loss = negative log-likelihood per step), the log-likelihood, iterations and
/// convergence in the card, run.json. There is no resume; cancelling stops the fit with an error.
/// </summary>
public static class HmmTrainingRun
{
    public static TrainingOutcome Train(HmmRecipe recipe, TrainingContext context)
    {
        context = context with { Device = CPU };
        if (context.Resume)
            throw LoomUsageException.ForOption("Resume", "a Baum-Welch fit has no trainer state to resume; it starts over");
        var resolved = recipe.Resolve();
        var path = resolved.Data!;
        var sequences = HmmData.Read(path, HmmOptions.ParseEmission(resolved.Emission!));
        var options = resolved.ToOptions();
        Seeding.SeedEverything(options.Seed);
        long steps = sequences.Sum(s => s.shape[0]);
        var progress = new IterationProgress(context.Progress, examplesPerIteration: steps);
        using var folder = new RunFolder(context);
        var model = HiddenMarkovModel.Fit(sequences, options,
            progress.Of<HmmEmProgress>(p => (p.Iteration, options.MaxIter, -p.LogLikelihood / steps)), context.Cancellation);
        try
        {
            double logLikelihood = model.LogLikelihoods(sequences, context.Cancellation).Sum();
            var metrics = new Dictionary<string, double>
            {
                ["log_likelihood"] = logLikelihood,
                ["nll_per_step"] = -logLikelihood / steps,
                ["iterations"] = model.Monitor?.Iterations ?? 0,
                ["converged"] = model.Monitor?.Converged == true ? 1 : 0,
            };
            if (model.Monitor?.Decreased == true)
                context.Say("warning: the log-likelihood decreased during EM (within tolerance); consider a larger MinCovar");
            folder.SaveRecipe(RecipeJson.ToJson(resolved));
            Checkpoint.Save(folder.Folder, model, folder.Card([DataProvenance.OfFile(path)], options.Seed, metrics));
            return new TrainingOutcome(model, metrics, false, []);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }
}
