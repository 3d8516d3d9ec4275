using System.CommandLine;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Models.Adapters;
using TorchSharp;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>--adapter DIR</c> for the commands that load a language model (sample, chat, score, serve): the one place a
/// model is loaded with a LoRA adapter folder (peft's <c>adapter_model.safetensors</c> + <c>adapter_config.json</c>)
/// applied on top.
/// </summary>
public static class AdapterCliOption
{
    public static Option<string?> Create() =>
        new("--adapter") { Description = "A LoRA adapter folder (loom finetune or peft) to apply to the language model" };

    /// <summary>Loads <paramref name="folder"/> and applies the adapter when one is given; the caller disposes the model.</summary>
    public static IGenerativeModel Load(string folder, string? adapter, torch.Device? device = null,
        torch.ScalarType dtype = torch.ScalarType.Float32)
    {
        var model = Checkpoint.Load(folder, device, dtype);
        if (adapter is null) return model;
        try
        {
            LoraAdapterFiles.Apply(model, adapter);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The model of <paramref name="folder"/> with the parse's <c>--adapter</c>, on its device and dtype.</summary>
    public static IGenerativeModel Load(ParseResult parse, string folder, Option<string?> adapter, Option<string> device,
        Option<string> dtype) =>
        Load(folder, parse.GetValue(adapter), DeviceSelector.Parse(parse.GetValue(device)), ComputeDtype.Parse(parse.GetValue(dtype)));
}
