using Loom.Cli;
using TorchSharp;

namespace Loom.Tests.Support;

/// <summary>
/// Runs training through the library or the in-process CLI on one libtorch thread (so runs compared for identical
/// weights reduce in the same order) and compares the files they write.
/// </summary>
internal static class OneThreadRuns
{
    public static T Run<T>(Func<T> run)
    {
        int threads = torch.get_num_threads();
        torch.set_num_threads(1);
        try
        {
            return run();
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    /// <summary>Runs <c>loom ARGS</c> in this process; asserts exit code 0 and returns standard output.</summary>
    public static string Cli(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Run(() => LoomCli.Run(args, output, error));
        Assert.True(code == 0, $"loom {string.Join(' ', args)}: exit {code}\n{error}");
        return output.ToString();
    }

    /// <summary>Asserts that the files called <paramref name="names"/> hold the same bytes in both folders.</summary>
    public static void AssertSameFiles(string expectedFolder, string actualFolder, params string[] names)
    {
        foreach (var name in names)
            Assert.True(File.ReadAllBytes(Path.Combine(expectedFolder, name)).AsSpan()
                .SequenceEqual(File.ReadAllBytes(Path.Combine(actualFolder, name))), $"{name} differs");
    }
}
