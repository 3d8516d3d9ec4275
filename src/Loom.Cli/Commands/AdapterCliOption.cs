using System.CommandLine;
using Loom.Core;
using Loom.Models;
using Loom.Models.Adapters;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>--adapter DIR</c> for the commands that load a language model (sample, chat, score, serve) or a U-Net diffusion
/// model (sample): the one place a
/// model is loaded with a LoRA adapter folder (peft's <c>adapter_model.safetensors</c> + <c>adapter_config.json</c>)
/// applied on top.
/// </summary>
public static class AdapterCliOption
{
    public static Option<string?> Create() =>
        new("--adapter") { Description = "A LoRA adapter folder (loom finetune or peft) to apply to the language or diffusion model" };

    /// <summary>The model of <paramref name="folder"/> with the parse's <c>--adapter</c>, on its device and dtype.</summary>
    public static IGenerativeModel Load(ParseResult parse, string folder, Option<string?> adapter, Option<string> device,
        Option<string> dtype) =>
        LoraAdapterFiles.LoadModel(folder, parse.GetValue(adapter), DeviceSelector.Parse(parse.GetValue(device)),
            ComputeDtype.Parse(parse.GetValue(dtype)));
}
