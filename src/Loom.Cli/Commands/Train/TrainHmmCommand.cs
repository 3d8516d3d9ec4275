using System.CommandLine;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models.Hmm;

namespace Loom.Cli.Commands.Train;

/// <summary><c>loom train hmm</c>: hidden Markov model by Baum-Welch on a sequence file.</summary>
public static class TrainHmmCommand
{
    public static IEnumerable<Command> Create()
    {
        var data = CliOptions.Data("Sequence file: categorical = one sequence per line of integer symbols; gaussian = CSV rows with blank lines between sequences");
        var output = CliOptions.Out("Checkpoint folder to write");
        var states = new Option<int>("--states") { Description = "Hidden states", DefaultValueFactory = _ => 2 };
        var emission = new Option<string>("--emission") { Description = "categorical | gaussian-diag | gaussian-full", DefaultValueFactory = _ => "gaussian-diag" };
        var symbols = new Option<int>("--symbols") { Description = "Categorical alphabet size (0 = largest symbol + 1)", DefaultValueFactory = _ => 0 };
        var maxIter = new Option<int>("--max-iter") { Description = "Baum-Welch iterations at most", DefaultValueFactory = _ => 100 };
        var tol = new Option<double>("--tol") { Description = "Stop when the log-likelihood gain is smaller", DefaultValueFactory = _ => 1e-4 };
        var minCovar = new Option<double>("--min-covar") { Description = "Floor added to Gaussian covariances", DefaultValueFactory = _ => 1e-3 };
        var init = new Option<string>("--init") { Description = "auto | kmeans | random", DefaultValueFactory = _ => "auto" };
        var seed = CliOptions.Seed();
        var command = new Command("hmm", "Hidden Markov model fitted by Baum-Welch") { data, output, states, emission, symbols, maxIter, tol, minCovar, init, seed };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var path = parse.GetValue(data)!;
            var kind = HmmOptions.ParseEmission(parse.GetValue(emission)!);
            var sequences = HmmData.Read(path, kind);
            var options = new HmmOptions
            {
                States = parse.GetValue(states),
                Emission = kind,
                Symbols = parse.GetValue(symbols),
                MaxIter = parse.GetValue(maxIter),
                Tol = parse.GetValue(tol),
                MinCovar = parse.GetValue(minCovar),
                Init = HmmOptions.ParseInit(parse.GetValue(init)!),
                Seed = parse.GetValue(seed),
            };
            options.Validate();
            Seeding.SeedEverything(options.Seed);
            using var progress = new ConsoleProgress("hmm Baum-Welch", Console.Error);
            var reporter = new SynchronousProgress<HmmEmProgress>(p => progress.Report(p.Iteration, options.MaxIter, $"loglik {p.LogLikelihood:F4} gain {p.Gain:E2}"));
            using var model = HiddenMarkovModel.Fit(sequences, options, reporter, CliContext.Cancellation);
            long steps = sequences.Sum(s => s.shape[0]);
            double logLikelihood = model.LogLikelihoods(sequences, CliContext.Cancellation).Sum();
            var metrics = new Dictionary<string, double>
            {
                ["log_likelihood"] = logLikelihood,
                ["nll_per_step"] = -logLikelihood / steps,
                ["iterations"] = model.Monitor?.Iterations ?? 0,
                ["converged"] = model.Monitor?.Converged == true ? 1 : 0,
            };
            if (model.Monitor?.Decreased == true)
                Console.Error.WriteLine("warning: the log-likelihood decreased during EM (within tolerance); consider a larger --min-covar");
            CheckpointWriter.Save(parse.GetValue(output)!, model, [DataProvenance.OfFile(path)], options.Seed, "cpu", metrics, console);
            return 0;
        });
        yield return command;
    }
}
