using System.CommandLine;
using Loom.Models;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train hmm</c>: maps flags onto the hidden Markov model recipe and fits by Baum-Welch through the registry.
/// Nothing here decides how a model is fitted.
/// </summary>
public static class TrainHmmCommand
{
    public static IEnumerable<Command> Create()
    {
        var data = new Option<string?>("--data")
        {
            Description = "Sequence file: categorical = one sequence per line of integer symbols; "
                + "gaussian = CSV rows with blank lines between sequences",
        };
        var states = new Option<int?>("--states") { Description = "Hidden states (default 2)" };
        var emission = new Option<string?>("--emission")
        {
            Description = "categorical | gaussian-diag | gaussian-full (default gaussian-diag)",
        };
        var symbols = new Option<int?>("--symbols") { Description = "Categorical alphabet size (0 = largest symbol + 1; default 0)" };
        var maxIter = new Option<int?>("--max-iter") { Description = "Baum-Welch iterations at most (default 100)" };
        var tol = new Option<double?>("--tol") { Description = "Stop when the log-likelihood gain is smaller (default 1e-4)" };
        var minCovar = new Option<double?>("--min-covar") { Description = "Floor added to Gaussian covariances (default 1e-3)" };
        var init = new Option<string?>("--init") { Description = "auto | kmeans | random (default auto)" };
        var seed = new Option<long?>("--seed") { Description = "Seed for every random number generator (default 0)" };
        var shared = new CliTraining(resumable: false, anyDevice: false);
        var command = new Command("hmm", "Hidden Markov model fitted by Baum-Welch")
        {
            data, states, emission, symbols, maxIter, tol, minCovar, init, seed,
        };
        foreach (var option in shared.All) command.Options.Add(option);
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var flags = new RecipeFlags(parse)
                .Add("data", data).Add("states", states).Add("emission", emission).Add("symbols", symbols).Add("max_iter", maxIter)
                .Add("tol", tol).Add("min_covar", minCovar).Add("init", init).Add("seed", seed);
            var recipe = shared.Recipe(parse, flags.Json);
            using var progress = new ConsoleProgress("train hmm", Console.Error);
            var context = shared.Context(parse, progress, console);
            using var outcome = ModelRegistry.Trainable("hmm").Train(recipe, context);
            CliTraining.Report(outcome, context, console);
            return 0;
        });
        yield return command;
    }
}
