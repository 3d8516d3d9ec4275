using System.CommandLine;
using System.Globalization;
using Loom.Privacy;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom privacy epsilon|noise</c>: the RDP accountant of DP-SGD on its own — the ε a noise multiplier gives, or the
/// noise multiplier a target ε needs, for Poisson sampling at a given rate.
/// </summary>
public static class PrivacyCommand
{
    public static Command Create()
    {
        var command = new Command("privacy", "Differential-privacy accounting for DP-SGD (RDP of the subsampled Gaussian)");
        command.Subcommands.Add(EpsilonCommand());
        command.Subcommands.Add(NoiseCommand());
        return command;
    }

    private static Command EpsilonCommand()
    {
        var noise = new Option<double>("--noise") { Description = "Noise multiplier σ (noise std / clipping norm)", Required = true };
        var sampleRate = SampleRate();
        var steps = new Option<long>("--steps") { Description = "Number of noisy steps", Required = true };
        var delta = Delta();
        var command = new Command("epsilon", "The ε spent after N steps at noise σ and sample rate q")
        {
            noise, sampleRate, steps, delta,
        };
        command.SetAction(parse =>
        {
            var spent = RdpAccountant.Epsilon(parse.GetValue(noise), parse.GetValue(sampleRate), parse.GetValue(steps),
                parse.GetValue(delta));
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"epsilon     {Format(spent.Epsilon)}");
            output.WriteLine($"delta       {Format(spent.Delta)}");
            output.WriteLine($"best order  {Format(spent.BestOrder)}");
            return 0;
        });
        return command;
    }

    private static Command NoiseCommand()
    {
        var epsilon = new Option<double>("--epsilon") { Description = "Target ε", Required = true };
        var delta = Delta();
        var sampleRate = SampleRate();
        var epochs = new Option<double>("--epochs") { Description = "Passes over the data; steps = ceil(epochs / q)", Required = true };
        var command = new Command("noise", "The smallest noise multiplier whose ε stays within a target")
        {
            epsilon, delta, sampleRate, epochs,
        };
        command.SetAction(parse =>
        {
            double q = parse.GetValue(sampleRate), e = parse.GetValue(epochs);
            if (!(e > 0) || !double.IsFinite(e))
                throw new Core.LoomUsageException($"--epochs: must be a positive number, got {e}");
            long steps = !(q > 0 && q <= 1) ? 1 : (long)Math.Ceiling(e / q - 1e-9);
            var found = NoiseCalibration.ForTarget(parse.GetValue(epsilon), parse.GetValue(delta), q, steps);
            var output = parse.InvocationConfiguration.Output;
            output.WriteLine($"noise       {Format(found.NoiseMultiplier)}");
            output.WriteLine($"epsilon     {Format(found.Spent.Epsilon)}");
            output.WriteLine($"delta       {Format(found.Spent.Delta)}");
            output.WriteLine($"steps       {steps}");
            output.WriteLine($"best order  {Format(found.Spent.BestOrder)}");
            return 0;
        });
        return command;
    }

    private static Option<double> SampleRate() =>
        new("--sample-rate") { Description = "Poisson sampling rate q = expected batch size / data set size", Required = true };

    private static Option<double> Delta() =>
        new("--delta") { Description = "Failure probability δ (below 1 / data set size)", DefaultValueFactory = _ => 1e-5 };

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
