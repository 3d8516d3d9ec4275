namespace Loom.Tests.Support;

/// <summary>What every CLI test checks about a refused run (README: errors are one line; <c>--verbose</c> adds the stack trace).</summary>
public static class CliAssert
{
    /// <summary>
    /// The run exited with <paramref name="exitCode"/> (1 failure, 2 bad usage; never 0) and its standard error is exactly one
    /// non-empty line: <c>error: …</c> containing <paramref name="contains"/>, with no stack trace and no exception type name.
    /// </summary>
    public static void OneLineError(CliRunner.Result result, int exitCode, string contains) =>
        ErrorLine(result, exitCode, contains, progressTitle: null);

    /// <summary>
    /// As <see cref="OneLineError"/> for a command that found the problem after it had started reporting progress: before the
    /// one error line, standard error may hold only the plain progress lines <c>{progressTitle}: …</c> of a redirected run.
    /// </summary>
    public static void OneLineErrorAfterProgress(CliRunner.Result result, int exitCode, string contains, string progressTitle) =>
        ErrorLine(result, exitCode, contains, progressTitle);

    private static void ErrorLine(CliRunner.Result result, int exitCode, string contains, string? progressTitle)
    {
        Assert.NotEqual(0, exitCode);
        Assert.True(result.ExitCode == exitCode, $"expected exit {exitCode}\n{result}");
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var before = lines.SkipLast(1).ToList();
        if (progressTitle is null)
            Assert.True(lines.Length == 1, $"expected exactly one line on stderr, got {lines.Length}\n{result}");
        else
            Assert.True(lines.Length >= 1 && before.All(l => l.StartsWith(progressTitle + ": ", StringComparison.Ordinal)),
                $"expected only '{progressTitle}: ' progress lines before the error\n{result}");
        var error = lines[^1];
        Assert.True(error.StartsWith("error: ", StringComparison.Ordinal), $"the last stderr line does not start with 'error: '\n{result}");
        Assert.True(error.Contains(contains, StringComparison.Ordinal), $"the error line does not mention '{contains}'\n{result}");
        Assert.False(result.Stderr.Contains("   at ", StringComparison.Ordinal), $"stack trace without --verbose\n{result}");
        Assert.False(result.Stderr.Contains("Exception", StringComparison.Ordinal), $"an exception type name in the error\n{result}");
    }
}
