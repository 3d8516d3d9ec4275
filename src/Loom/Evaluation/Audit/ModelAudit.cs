using Loom.Evaluation.Suite;

namespace Loom.Evaluation.Audit;

/// <summary>
/// <c>loom audit</c> as a library call: one report on a checkpoint's provenance, privacy guarantee, memorization and
/// membership inference (through the evaluation suite) and representation, written as <c>audit.json</c> and
/// <c>audit.html</c>. Samples are drawn once and shared by the sections.
/// </summary>
public static class ModelAudit
{
    public static AuditReport Run(string checkpoint, AuditOptions options, string outputFolder, IProgress<string>? progress = null,
        CancellationToken cancellation = default)
    {
        options.Validate();
        if (!Directory.Exists(checkpoint))
            throw new Core.LoomDataException($"{checkpoint}: no such checkpoint folder (the audit reads a checkpoint, not a sample file)");
        var evaluation = new EvaluationOptions
        {
            Samples = options.Samples, TextSamples = options.Samples, Seed = options.Seed, CopyNGram = options.CopyNGram,
            KidSubsets = 10, KidSubsetSize = Math.Min(1000, Math.Max(2, options.Samples)),
        };
        using var evaluator = new Evaluator(options.Data, evaluation, progress: progress);
        progress?.Report($"{checkpoint}: drawing {options.Samples} samples");
        using var source = evaluator.OpenSource(checkpoint);
        var report = new AuditReport(checkpoint, source.Kind);
        report.Sections.Add(ProvenanceSection.Build(checkpoint));
        report.Sections.Add(PrivacySection.Build(checkpoint));
        cancellation.ThrowIfCancellationRequested();
        progress?.Report("memorization and membership inference");
        var result = evaluator.Evaluate(source, Path.Combine(outputFolder, "evaluation"), cancellation);
        report.Sections.Add(MemorizationSection.Build(result));
        cancellation.ThrowIfCancellationRequested();
        progress?.Report("representation");
        report.Sections.Add(RepresentationSection.Build(EvaluationDataSpec.Resolve(options.Data), source.Samples, options));
        report.Save(outputFolder);
        return report;
    }
}
