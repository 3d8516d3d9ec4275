using System.CommandLine;
using System.Text.Json;
using Loom.Cli;
using Loom.Cli.Commands.Train;
using Loom.Core;
using Loom.IO.Checkpoints;
using Loom.Models;
using Loom.Training.Runs;
using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary>
/// A trainable family with no command of its own still trains from the command line: the command made from its recipe
/// record writes the checkpoint the family's own command writes, and its errors name its flags.
/// </summary>
public sealed class RecipeTrainCommandTests : IDisposable
{
    private readonly TempFolder tmp = new();

    [Fact]
    public void Every_trainable_family_gets_a_flag_for_every_recipe_property()
    {
        var families = ModelRegistry.All.OfType<ITrainableFamily>().ToList();
        Assert.Contains(families, f => f.Kind == "ngram");
        foreach (var family in families)
        {
            var command = RecipeTrainCommand.Create(family);
            var flags = command.Options.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var property in RecipeTrainCommand.RecipeProperties(family.RecipeType))
                Assert.True(flags.Contains("--" + JsonNamingPolicy.KebabCaseLower.ConvertName(property.Name)),
                    $"{family.Kind}: no flag for {family.RecipeType.Name}.{property.Name}");
            Assert.Contains("--out", flags);
            Assert.Contains("--config", flags);
        }
    }

    [Fact]
    public void The_command_made_from_the_recipe_writes_what_the_family_command_writes()
    {
        var text = tmp.File("verse.txt");
        File.WriteAllText(text, string.Concat(Enumerable.Repeat("in the beginning was the word\nand the word was loom\n", 2000)));
        OneThreadRuns.Cli("train", "ngram", "--data", text, "--order", "4", "--val-fraction", "0.2", "--seed", "2",
            "--out", tmp.File("own"));
        var (root, command) = RecipeRoot();
        int code = root.Parse(["ngram-from-recipe", "--data", text, "--order", "4", "--val-fraction", "0.2", "--seed", "2",
            "--out", tmp.File("made")]).Invoke(new InvocationConfiguration { Output = TextWriter.Null, Error = TextWriter.Null });
        Assert.Equal(0, code);
        OneThreadRuns.AssertSameFiles(tmp.File("own"), tmp.File("made"),
            Checkpoint.ModelFile, Checkpoint.ConfigFile, RunFolder.RecipeFile, "sample.txt");
        Assert.Contains(command.Options, o => o.Name == "--smoothing");
    }

    [Fact]
    public void Its_errors_name_its_flags()
    {
        var text = tmp.File("short.txt");
        File.WriteAllText(text, "abc abc abc\n");
        var (root, command) = RecipeRoot();
        var error = Assert.Throws<LoomUsageException>(() => root.Parse(["ngram-from-recipe", "--data", text, "--order", "0",
            "--out", tmp.File("bad")]).Invoke(new InvocationConfiguration
            {
                Output = TextWriter.Null, Error = TextWriter.Null, EnableDefaultExceptionHandler = false,
            }));
        Assert.Equal("Order: must be between 1 and 12, got 0", error.Message);
        Assert.Equal("--order: must be between 1 and 12, got 0", new OptionFlags(command).Describe(error));
    }

    private static (RootCommand Root, Command Command) RecipeRoot()
    {
        var command = RecipeTrainCommand.Create(ModelRegistry.Trainable("ngram"), "ngram-from-recipe");
        return (new RootCommand { command }, command);
    }

    public void Dispose() => tmp.Dispose();
}
