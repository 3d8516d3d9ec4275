using System.CommandLine;
using System.Globalization;
using Loom.Core;
using Loom.Models.Mcmc;

namespace Loom.Cli.Commands;

/// <summary><c>loom mcmc</c>: runs an MCMC sampler on a built-in target; writes draws, a summary and (2-D) a scatter plot.</summary>
public static class McmcCommand
{
    public static Command Create()
    {
        var target = new Option<string>("--target")
        {
            Description = $"Target distribution: {string.Join(", ", McmcTargets.Names)}", Required = true
        };
        var sampler = new Option<string>("--sampler") { Description = "rwmh | mala | hmc | gibbs", DefaultValueFactory = _ => "hmc" };
        var chains = new Option<int>("--chains") { Description = "Chains run in parallel", DefaultValueFactory = _ => 8 };
        var samples = new Option<int>("--samples") { Description = "Draws kept per chain", DefaultValueFactory = _ => 1000 };
        var burnIn =
            new Option<int>("--burn-in") { Description = "Draws discarded first (step size tuned there)", DefaultValueFactory = _ => 500 };
        var thin = new Option<int>("--thin") { Description = "Keep every N-th draw", DefaultValueFactory = _ => 1 };
        var stepSize = new Option<double>("--step-size") { Description = "Initial step size", DefaultValueFactory = _ => 0.1 };
        var leapfrog = new Option<int>("--leapfrog") { Description = "Leapfrog steps per HMC proposal", DefaultValueFactory = _ => 10 };
        var noAdapt = new Option<bool>("--no-adapt") { Description = "Keep the step size fixed during burn-in" };
        var seed = CliOptions.Seed();
        var output = CliOptions.Out("Folder for draws.csv, summary.json and draws.png", required: false);
        var command = new Command("mcmc", "Sample a built-in unnormalised density with RWMH, MALA, HMC or Gibbs")
            { target, sampler, chains, samples, burnIn, thin, stepSize, leapfrog, noAdapt, seed, output };
        command.SetAction(parse =>
        {
            var console = parse.InvocationConfiguration.Output;
            var t = McmcTargets.Get(parse.GetValue(target)!);
            var options = new McmcOptions
            {
                Sampler = McmcOptions.ParseSampler(parse.GetValue(sampler)!),
                Chains = parse.GetValue(chains),
                Samples = parse.GetValue(samples),
                BurnIn = parse.GetValue(burnIn),
                Thin = parse.GetValue(thin),
                StepSize = parse.GetValue(stepSize),
                LeapfrogSteps = parse.GetValue(leapfrog),
                Adapt = !parse.GetValue(noAdapt),
                Seed = parse.GetValue(seed),
            };
            McmcResult result;
            using (var progress = new ConsoleProgress($"mcmc {options.Sampler}", Console.Error))
                result = McmcRunner.Run(t, options,
                    new SynchronousProgress<(int Done, int Total)>(p => progress.Report(p.Done, p.Total, "")), CliContext.Cancellation);
            using (result)
            {
                console.WriteLine($"target {t.Name}, sampler {options.Sampler}, {options.Chains} chains × {options.Samples} draws");
                console.WriteLine($"acceptance     {result.Acceptance.Average():F3} (per chain "
                    + $"{result.Acceptance.Min():F3}..{result.Acceptance.Max():F3})");
                console.WriteLine($"step size      {result.StepSize:G4}");
                for (int d = 0; d < result.Mean.Length; d++)
                    console.WriteLine(
                        $"x{d,-13} mean {result.Mean[d],9:F4}  var {result.Variance[d],9:F4}  ess {result.EffectiveSampleSize[d],8:F0}");
                if (parse.GetValue(output) is { } dir)
                {
                    McmcResultFiles.Write(result, dir, t.Name, options, CliContext.CommandLine);
                    console.WriteLine($"wrote {dir}");
                }
            }
            return 0;
        });
        return command;
    }
}
