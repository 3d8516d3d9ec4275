using Loom.Tests.Support;

namespace Loom.Tests.Packaging;

/// <summary>
/// The Loom library package and the Loom.Cli tool package, packed once per test run from this checkout into a fresh
/// folder feed under a version no earlier run used (so NuGet's global cache cannot serve a stale copy). Dispose
/// removes the feed and that version from the global package cache.
/// </summary>
public sealed class LocalPackageFeed : IDisposable
{
    public string Folder { get; } = RepoPaths.NewTempDir("loom-feed");

    public string Version { get; } = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    public LocalPackageFeed()
    {
        foreach (var project in new[] { "src/Loom/Loom.csproj", "src/Loom.Cli/Loom.Cli.csproj" })
        {
            var pack = Dotnet(RepoPaths.Root, TimeSpan.FromMinutes(15),
                "pack", Path.Combine(RepoPaths.Root, project), "-c", "Release", "-v", "q", "-nologo",
                    "-p:Version=" + Version, "-o", Folder);
            if (pack.ExitCode != 0)
                throw new InvalidOperationException($"dotnet pack {project} failed\n{pack}");
        }
    }

    /// <summary>A NuGet.config in <paramref name="folder"/> that adds this feed to the user's sources.</summary>
    public void WriteNuGetConfig(string folder) => File.WriteAllText(Path.Combine(folder, "NuGet.config"),
        $"""
        <?xml version="1.0" encoding="utf-8"?>
        <configuration>
          <packageSources>
            <add key="loom-test-feed" value="{Folder}" />
          </packageSources>
        </configuration>
        """);

    public static CliRunner.Result Dotnet(string workingDirectory, TimeSpan timeout, params string[] args) =>
        ProcessRunner.Run("dotnet", args, workingDirectory, timeout,
            new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" });

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                    ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "loom", "loom.cli", "loom.cli.linux-x64" })
        {
            var cached = Path.Combine(cache, id, Version);
            if (Directory.Exists(cached))
                Directory.Delete(cached, recursive: true);
        }
    }
}
