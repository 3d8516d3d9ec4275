using System.CommandLine;

namespace Loom.Cli.Commands.Train;

/// <summary>
/// <c>loom train KIND</c>: one subcommand per trainable family, each a thin shell over the family's fit API; a family
/// without a command of its own gets one made from its recipe (<see cref="RecipeTrainCommand"/>).
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a model and write a checkpoint folder");
        IEnumerable<Command>[] families =
        [
            TrainGmmCommand.Create(),
            TrainHmmCommand.Create(),
            TrainNGramCommand.Create(),
            TrainLanguageModelCommand.Create(),
            TrainClassifierCommand.Create(),
            TrainDiffusionCommand.Create(),
            TrainVaeCommand.Create(),
            TrainGanCommand.Create(),
            TrainVqVaeCommand.Create(),
            TrainCycleGanCommand.Create(),
        ];
        foreach (var sub in families.SelectMany(f => f))
            command.Subcommands.Add(sub);
        // Every other trainable family in the registry gets a command made from its recipe record.
        var named = command.Subcommands.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var family in Models.ModelRegistry.All.OfType<Training.Runs.ITrainableFamily>().Where(f => !named.Contains(f.Kind)))
            command.Subcommands.Add(RecipeTrainCommand.Create(family));
        return command;
    }
}
