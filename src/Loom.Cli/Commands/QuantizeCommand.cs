using System.CommandLine;
using Loom.Models.Quantization;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom quantize CKPT --bits 8|4 [--group-size 64] --out OUT</c>: a shell over <see cref="CheckpointQuantization"/>.
/// </summary>
public static class QuantizeCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<string>("checkpoint") { Description = "gpt/llama checkpoint folder or HF model folder" };
        var bits = new Option<int>("--bits")
        {
            Description = "8: int8, one symmetric scale per output channel; 4: uint4 in groups with scale and zero point",
            DefaultValueFactory = _ => 8,
        };
        var groupSize = new Option<int?>("--group-size")
        {
            Description = $"4-bit only: input features per scale and zero point (default {QuantizationOptions.DefaultGroupSize})",
        };
        var output = CliOptions.Out("Checkpoint folder to write (new or empty)");
        var command = new Command("quantize", "Write a weight-only int8 or 4-bit quantized copy of a transformer checkpoint")
        {
            checkpoint, bits, groupSize, output,
        };
        command.SetAction(parse =>
        {
            var options = new QuantizationOptions { Bits = parse.GetValue(bits), GroupSize = parse.GetValue(groupSize) }.Validate();
            var to = parse.GetValue(output)!;
            var outcome = CheckpointQuantization.Write(parse.GetValue(checkpoint)!, to, options);
            parse.InvocationConfiguration.Output.WriteLine($"quantized {outcome.Layers} layers to {options.Bits} bits; weights "
                + $"{outcome.SourceBytes:N0} → {outcome.OutputBytes:N0} bytes; wrote {to}");
            return 0;
        });
        return command;
    }
}
