using Loom.Tests.Support;

namespace Loom.Tests.Cli;

/// <summary>One small <c>loom quickstart</c> through the real binary, shared by the tests of its report.</summary>
public sealed class QuickstartRun : IDisposable
{
    public QuickstartRun()
    {
        Work = RepoPaths.NewTempDir("loom-quickstart");
        // About a minute on an idle 2-core machine; the limit only catches a hang (under a parallel build it took over 5).
        Result = CliRunner.Run(Work, TimeSpan.FromMinutes(15), "quickstart", "--out", "qs",
            "--gpt-steps", "40", "--diffusion-steps", "100", "--image-diffusion-steps", "3", "--vae-steps", "20", "--flow-steps", "50",
            "--rbm-steps", "50");
    }

    public string Work { get; }

    public CliRunner.Result Result { get; }

    /// <summary>The quickstart's output folder.</summary>
    public string Out => Path.Combine(Work, "qs");

    public string ReportPath => Path.Combine(Out, "report.html");

    public void Dispose() => Directory.Delete(Work, recursive: true);
}
