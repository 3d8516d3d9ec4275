using System.CommandLine;

namespace Loom.Cli.Commands.Train;

/// <summary><c>loom train KIND</c>: one subcommand per trainable family, each a thin shell over the family's fit API.</summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a model and write a checkpoint folder");
        foreach (var sub in TrainGmmCommand.Create().Concat(TrainHmmCommand.Create()).Concat(TrainNGramCommand.Create()).Concat(TrainLanguageModelCommand.Create()).Concat(TrainClassifierCommand.Create()).Concat(TrainDiffusionCommand.Create()))
            command.Subcommands.Add(sub);
        foreach (var sub in TrainCycleGanCommand.Create()) command.Subcommands.Add(sub);
        return command;
    }
}
