using System.CommandLine;
using Loom.Models.Language.HuggingFace;

namespace Loom.Cli.Commands;

/// <summary>
/// <c>loom import hf DIR --out CKPT</c> and <c>loom export hf CKPT --out DIR</c>: shells over
/// <see cref="HfFolderConversion"/>. Every command that takes a checkpoint also takes an HF folder directly.
/// </summary>
public static class HfFolderCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Group("import", "Write a Loom checkpoint of another format's model", "hf",
            "Write a Loom checkpoint of an HF model folder (config.json, safetensors, tokenizer.json)", "HF model folder",
            "Loom checkpoint folder to write", HfFolderConversion.Import);
        yield return Group("export", "Write a Loom checkpoint in another format", "hf",
            "Write a Loom gpt/llama checkpoint as an HF model folder that transformers loads", "Loom checkpoint folder",
            "HF model folder to write", HfFolderConversion.Export);
    }

    private static Command Group(string name, string description, string format, string formatDescription, string sourceDescription,
        string outDescription, Action<string, string, bool> convert)
    {
        var source = new Argument<string>("source") { Description = sourceDescription };
        var output = CliOptions.Out(outDescription);
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the files of a non-empty output folder" };
        var sub = new Command(format, formatDescription) { source, output, overwrite };
        sub.SetAction(parse =>
        {
            var to = parse.GetValue(output)!;
            convert(parse.GetValue(source)!, to, parse.GetValue(overwrite));
            parse.InvocationConfiguration.Output.WriteLine($"wrote {to}");
            return 0;
        });
        return new Command(name, description) { sub };
    }
}
