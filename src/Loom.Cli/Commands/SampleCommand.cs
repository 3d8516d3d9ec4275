using System.CommandLine;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using TorchSharp;

namespace Loom.Cli.Commands;

/// <summary><c>loom sample CKPT</c>: draws samples and writes them in the natural format of the family.</summary>
public static class SampleCommand
{
    public static Command Create()
    {
        var checkpoint = CliOptions.Checkpoint();
        var count = new Option<int>("--n") { Description = "Number of samples", DefaultValueFactory = _ => 16 };
        var length = new Option<int>("--length") { Description = "Length of each sequence / text (tokens or steps)", DefaultValueFactory = _ => 200 };
        var prompt = new Option<string?>("--prompt") { Description = "Text the samples start with (text models)" };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature (text models)", DefaultValueFactory = _ => 1.0 };
        var seed = CliOptions.Seed();
        var device = CliOptions.Device();
        var output = CliOptions.Out("Output file: .csv or .png for points, .txt for text, .json for sequences; omit to print", required: false);
        var command = new Command("sample", "Draw samples from a checkpoint") { checkpoint, count, length, prompt, temperature, seed, device, output };
        command.SetAction(parse =>
        {
            var request = new SampleRequest
            {
                Count = CliOptions.Positive(parse, count),
                Length = CliOptions.Positive(parse, length),
                Prompt = parse.GetValue(prompt),
                Temperature = CliOptions.PositiveDouble(parse, temperature),
                Seed = parse.GetValue(seed),
            };
            using var model = Checkpoint.Load(parse.GetValue(checkpoint)!, DeviceSelector.Parse(parse.GetValue(device)));
            using var scope = torch.NewDisposeScope();
            var samples = model.Sample(request);
            SampleWriter.Write(samples, parse.GetValue(output), parse.InvocationConfiguration.Output);
            return 0;
        });
        return command;
    }
}
