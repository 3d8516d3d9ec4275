using System.CommandLine;
using Loom.Data;
using Loom.Models;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train gmm</c>: maps flags onto the Gaussian mixture recipe (EM, or minibatch SGD with <c>--method sgd</c>)
/// and fits through the registry. Nothing here decides how a model is fitted.
/// </summary>
public static class TrainGmmCommand
{
    public static IEnumerable<Command> Create()
    {
        var data = new Option<string?>("--data")
        {
            Description = $"Numeric CSV (one sample per row) or a toy set: {string.Join(", ", ToyData.Names)}",
        };
        var components = new Option<int?>("--components", "-k") { Description = "Number of mixture components (default 8)" };
        var covariance = new Option<string?>("--covariance") { Description = "full | tied | diag | spherical (default full)" };
        var maxIter = new Option<int?>("--max-iter") { Description = "EM iterations at most (default 100)" };
        var tol = new Option<double?>("--tol") { Description = "Stop when the mean log-likelihood changes by less (default 1e-3)" };
        var regCovar = new Option<double?>("--reg-covar") { Description = "Added to covariance diagonals (default 1e-6)" };
        var nInit = new Option<int?>("--n-init") { Description = "Restarts; the best is kept (default 1)" };
        var init = new Option<string?>("--init") { Description = "kmeans | k-means++ | random | random-from-data (default kmeans)" };
        var points = new Option<int?>("--points") { Description = "Points to generate for a toy set (default 4000)" };
        var holdout = new Option<double?>("--holdout") { Description = "Fraction held out for the held-out log-likelihood (default 0.1)" };
        var seed = new Option<long?>("--seed") { Description = "Seed for every random number generator (default 0)" };
        var method = new Option<string?>("--method")
        {
            Description = "em (expectation-maximisation; default) | sgd (minibatch AdamW through the trainer; full covariance)",
        };
        var steps = new Option<long?>("--steps") { Description = "sgd: optimizer steps (default 2000)" };
        var batchSize = new Option<int?>("--batch-size") { Description = "sgd: points per step (default 256)" };
        var lr = new Option<double?>("--lr") { Description = "sgd: peak learning rate (default 0.01)" };
        var schedule = new Option<string?>("--schedule") { Description = "sgd: constant | cosine | linear (to lr/10; default cosine)" };
        var warmup = new Option<long?>("--warmup") { Description = "sgd: linear warmup steps (default 100)" };
        var ema = new Option<double?>("--ema") { Description = "sgd: EMA decay of the saved model's weights (0 = off, the default)" };
        var checkpointEvery = new Option<long?>("--checkpoint-every")
        {
            Description = "sgd: save every N steps (0 = at the end and on Ctrl-C; default 0)",
        };
        var shared = new CliTraining(anyDevice: false);
        var command = new Command("gmm", "Gaussian mixture fitted by EM, or by minibatch gradient descent with --method sgd")
        {
            data, components, covariance, maxIter, tol, regCovar, nInit, init, points, holdout, seed, method, steps, batchSize, lr,
            schedule, warmup, ema, checkpointEvery,
        };
        foreach (var option in shared.All) command.Options.Add(option);
        shared.Resume.Description = "sgd: continue the run saved in --out with the recipe it started with";
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var flags = new RecipeFlags(parse)
                .Add("data", data).Add("components", components).Add("covariance", covariance).Add("max_iter", maxIter).Add("tol", tol)
                .Add("reg_covar", regCovar).Add("n_init", nInit).Add("init", init).Add("points", points).Add("holdout", holdout)
                .Add("seed", seed).Add("method", method).Add("steps", steps).Add("batch_size", batchSize).Add("learning_rate", lr)
                .Add("lr_schedule", schedule).Add("warmup", warmup).Add("ema", ema).Add("checkpoint_every", checkpointEvery);
            var recipe = shared.Recipe(parse, flags.Json);
            using var progress = new ConsoleProgress("train gmm", Console.Error);
            var context = shared.Context(parse, progress, console);
            using var outcome = ModelRegistry.Trainable("gmm").Train(recipe, context);
            CliTraining.Report(outcome, context, console);
            return 0;
        });
        yield return command;
    }
}
