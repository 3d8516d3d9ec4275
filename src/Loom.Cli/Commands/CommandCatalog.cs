using System.CommandLine;

namespace Loom.Cli.Commands;

/// <summary>The top-level commands, in the order <c>loom --help</c> lists them.</summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return QuickstartCommand.Create();
        yield return Train.TrainCommand.Create();
        yield return SampleCommand.Create();
        yield return ImageWatermarkCommand.Create();
        yield return InterpolateCommand.Create();
        yield return AnomalyCommand.Create();
        foreach (var edit in DiffusionEditCommands.Create()) yield return edit;
        yield return TranslateCommand.Create();
        yield return FinetuneCommand.Create();
        yield return ChatCommand.Create();
        yield return ChatTemplateCommand.Create();
        yield return ServeCommand.Create();
        yield return KeysCommand.Create();
        yield return ProvenanceCommand.Create();
        yield return McmcCommand.Create();
        yield return ScoreCommand.Create();
        yield return EvalCommand.Create();
        yield return AuditCommand.Create();
        yield return AugmentCommand.Create();
        yield return InfoCommand.Create();
        yield return PrivacyCommand.Create();
        foreach (var conversion in HfFolderCommands.Create()) yield return conversion;
        yield return QuantizeCommand.Create();
        yield return DistillCommand.Create();
        yield return DataCommand.Create();
        yield return TokenizeCommand.Create();
        yield return WatermarkCommand.Create();
        yield return DoctorCommand.Create();
    }
}
