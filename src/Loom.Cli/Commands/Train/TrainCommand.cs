using System.CommandLine;

namespace Loom.Cli.Commands.Train;

/// <summary><c>loom train KIND</c>: one subcommand per trainable family, each a thin shell over the family's fit API.</summary>
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
        return command;
    }
}
